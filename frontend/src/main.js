import { createApp } from 'vue'
import App from './App.vue'
import './style.css'

function mount() {
	// Outside a real Nextcloud (the development fake) the theme's CSS variables are missing; a small
	// fallback theme keeps the page readable, light or dark.
	const probe = getComputedStyle(document.documentElement).getPropertyValue('--color-primary-element')
	const el = document.getElementById('content') || document.body.appendChild(document.createElement('div'))
	const root = document.createElement('div')
	root.id = 'ews-connector'
	if (!probe.trim()) {
		document.body.classList.add('ews-fallback-theme')
	}
	el.appendChild(root)
	createApp(App).mount(root)
}

if (document.readyState === 'loading') {
	document.addEventListener('DOMContentLoaded', mount)
} else {
	mount()
}
