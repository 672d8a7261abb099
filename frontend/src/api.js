// The app's JSON API, reached through AppAPI's proxy (works on every deploy daemon).
import axios from '@nextcloud/axios'
import { generateUrl } from '@nextcloud/router'

const base = generateUrl('/apps/app_api/proxy/ews_connector/api/v1')

/** Returns the response data, or throws an Error whose message is the server's (user words). */
async function call(method, path, data) {
	try {
		const res = await axios({ method, url: base + path, data, headers: { 'Content-Type': 'application/json' } })
		return res.data
	} catch (e) {
		const body = e.response?.data
		const err = new Error(body?.error || e.message)
		err.code = body?.code
		err.status = e.response?.status
		throw err
	}
}

export const api = {
	status: () => call('get', '/status'),
	connect: (form) => call('post', '/connect', form),
	folders: (accountId) => call('get', `/accounts/${accountId}/folders`),
	disconnect: (accountId) => call('delete', `/accounts/${accountId}`),
	createLink: (accountId, link) => call('post', `/accounts/${accountId}/links`, link),
	updateLink: (linkId, change) => call('put', `/links/${linkId}`, change),
	deleteLink: (linkId) => call('delete', `/links/${linkId}`),
	syncLink: (linkId, full) => call('post', `/links/${linkId}/sync`, { full }),
	createTestData: (accountId) => call('post', `/accounts/${accountId}/testdata`),
	deleteTestData: (accountId) => call('delete', `/accounts/${accountId}/testdata`),
	adminAccounts: () => call('get', '/admin/accounts'),
}
