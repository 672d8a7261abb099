// Builds the EWS Connector page into one script and one stylesheet, the files AppAPI loads on the
// top-menu page (ui/script js/ews_connector-main, ui/style css/ews_connector-main). The output is an
// IIFE because Nextcloud adds ExApp scripts as classic <script> tags. `make frontend` runs this.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
	plugins: [vue()],
	define: {
		'process.env.NODE_ENV': JSON.stringify('production'),
		appName: JSON.stringify('ews_connector'),
		appVersion: JSON.stringify('0.1.0'),
	},
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		assetsInlineLimit: 1 << 20,
		sourcemap: false,
		cssCodeSplit: false,
		lib: {
			entry: 'src/main.js',
			name: 'EwsConnector',
			formats: ['iife'],
			fileName: () => 'js/ews_connector-main.js',
			cssFileName: 'css/ews_connector-main',
		},
	},
})
