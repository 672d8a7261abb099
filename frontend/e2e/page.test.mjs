// Browser test of the EWS Connector page against `make run`'s setup (fake Nextcloud serving the page
// like the AppAPI proxy, simulated Exchange pre-filled, the app). The Go test frontend/e2e_test.go
// starts that setup and runs `node --test e2e/` with:
//   E2E_NEXTCLOUD_URL  the fake Nextcloud (users alice/admin, password "password")
//   E2E_EWS_URL        the simulated Exchange's EWS URL (mailbox alice, password "secret")
//   E2E_OUTPUT         where screenshots go
//   E2E_CHROMIUM       the browser (default /usr/bin/chromium)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const nc = process.env.E2E_NEXTCLOUD_URL
const ewsURL = process.env.E2E_EWS_URL
const out = process.env.E2E_OUTPUT || mkdtempSync(path.join(tmpdir(), 'ews-e2e-'))
const skip = !nc || !ewsURL ? 'E2E_NEXTCLOUD_URL and E2E_EWS_URL are not set (run it through go test ./frontend)' : false

let context, page, profile
let shot = 0

async function screenshot(name) {
	shot++
	const file = path.join(out, `${String(shot).padStart(2, '0')}-${name}.png`)
	await page.screenshot({ path: file, fullPage: true })
}

const basic = (user, pass) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64')

// DAV as alice: the hrefs of the objects in a collection (PROPFIND Depth 1).
async function davObjects(href) {
	const res = await fetch(nc + href, { method: 'PROPFIND', headers: { Authorization: basic('alice', 'password'), Depth: '1', 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' })
	if (res.status === 404) return null
	assert.equal(res.status, 207, `PROPFIND ${href}`)
	const xml = await res.text()
	return [...xml.matchAll(/<d:href>([^<]+)<\/d:href>/gi)].map(m => m[1]).filter(h => h !== href && !h.endsWith('/'))
}

async function davGet(href) {
	const res = await fetch(nc + href, { headers: { Authorization: basic('alice', 'password') } })
	assert.equal(res.status, 200, `GET ${href}`)
	return res.text()
}

// EWS as another client of alice's mailbox.
async function ews(body) {
	const env = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
	const res = await fetch(ewsURL, { method: 'POST', headers: { Authorization: basic('alice', 'secret'), 'Content-Type': 'text/xml; charset=utf-8' }, body: env })
	const text = await res.text()
	assert.equal(res.status, 200, text)
	assert.match(text, /ResponseClass="Success"/, text)
	return text
}

// The API as alice through the proxy, for ids the page does not show.
async function apiGet(p) {
	const res = await fetch(`${nc}/index.php/apps/app_api/proxy/ews_connector/api/v1${p}`, { headers: { Authorization: basic('alice', 'password') } })
	assert.equal(res.status, 200)
	return res.json()
}

const row = (name) => page.locator(`tr[data-folder="${name}"]`)

before(async () => {
	if (skip) return
	mkdirSync(out, { recursive: true })
	console.log(`screenshots: ${out}`)
	profile = mkdtempSync(path.join(tmpdir(), 'ews-e2e-profile-'))
	// A new, empty profile (launchPersistentContext passes it as --user-data-dir).
	context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1280, height: 900 },
	})
	page = context.pages()[0] || await context.newPage()
	page.on('pageerror', e => console.log('page error:', e.message))
	await page.goto(nc + '/')
	await page.getByRole('button', { name: 'alice' }).click()
	await page.goto(nc + '/index.php/apps/app_api/embedded/ews_connector/main')
})

after(async () => {
	await context?.close()
	if (profile) rmSync(profile, { recursive: true, force: true })
})

test('connect with a wrong and then a right password', { skip }, async () => {
	await page.getByRole('heading', { name: 'Connect to Exchange' }).waitFor()
	const server = new URL(ewsURL).origin
	await page.getByLabel('Exchange server (host name or EWS URL)').fill(server)
	await page.getByLabel('User name (user@domain or DOMAIN\\user)').fill('alice')
	await page.getByLabel('Password', { exact: true }).fill('not the password')
	await page.getByRole('button', { name: 'Connect', exact: true }).click()
	await page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).waitFor()
	await screenshot('wrong-password')
	// Keyboard only: type the password and submit with Enter.
	await page.getByLabel('Password', { exact: true }).fill('')
	await page.getByLabel('Password', { exact: true }).focus()
	await page.keyboard.type('secret')
	await page.keyboard.press('Enter')
	await page.getByRole('heading', { name: 'Exchange account alice' }).waitFor()
	await row('Calendar').waitFor()
	// The password is never shown again: no field holds it and the page text does not contain it.
	assert.equal(await page.getByLabel('Password', { exact: true }).count(), 0)
	assert.ok(!(await page.content()).includes('secret'))
	await screenshot('connected')
})

test('list, link and save', { skip }, async () => {
	for (const name of ['Calendar', 'Contacts', 'Holidays', 'Team']) {
		await row(name).waitFor()
	}
	assert.match(await row('Holidays').innerText(), /2 items/)
	const r = row('Holidays')
	await r.locator('select[data-test=target]').selectOption('__new__')
	await r.locator('input[data-test=new-name]').fill('Holidays from Exchange')
	await r.getByRole('button', { name: 'Link and save' }).click()
	// A non-empty folder: the warning says what will happen before anything is linked.
	await r.getByText('already holds 2 items').waitFor()
	await screenshot('first-link-warning')
	await r.getByRole('button', { name: 'Link anyway' }).click()
	await page.locator('tr[data-folder="Holidays"][data-linked="true"]').waitFor()
	await r.getByText('2 items in sync').waitFor()
	// Change the direction: Save appears and stores it.
	await r.locator('select[data-test=direction]').selectOption('to-nextcloud')
	await r.getByRole('button', { name: 'Save' }).click()
	await r.getByRole('button', { name: 'Save' }).waitFor({ state: 'detached' })
	const st = await apiGet('/status')
	const link = st.links.find(l => l.remote_name === 'Holidays')
	assert.equal(link.direction, 'to-nextcloud')
	assert.equal((await davObjects(link.local_href)).length, 2)
	await screenshot('linked')
	// Unlink leaves both sides as they are.
	await r.getByRole('button', { name: 'Unlink' }).click()
	await page.locator('tr[data-folder="Holidays"][data-linked="false"]').waitFor()
	assert.equal((await davObjects(link.local_href)).length, 2)
})

let testLinks
test('create test data and see the items on both sides', { skip }, async () => {
	await page.getByRole('button', { name: 'Create test data' }).click()
	await page.getByText('Test data created').waitFor({ timeout: 30000 })
	const st = await apiGet('/status')
	testLinks = st.links.filter(l => l.remote_name.startsWith('EWS Connector test'))
	assert.equal(testLinks.length, 2)
	const cal = testLinks.find(l => l.kind === 'calendar')
	const con = testLinks.find(l => l.kind === 'contacts')
	// The first sync (run at once, or queued by the scheduler) pairs everything.
	await row(cal.remote_name).getByText('6 items in sync').waitFor()
	await row(con.remote_name).getByText('4 items in sync').waitFor()
	// Nextcloud side: 3 events written there plus 3 from Exchange; 2 + 2 contacts.
	assert.equal((await davObjects(cal.local_href)).length, 6)
	assert.equal((await davObjects(con.local_href)).length, 4)
	// Exchange side: the folder rows show the item counts.
	await row(cal.remote_name).getByText(/· 6 items$/).waitFor()
	await row(con.remote_name).getByText(/· 4 items$/).waitFor()
	// The recurring event with a moved and a cancelled occurrence, attendees and a photo made it.
	const all = await Promise.all((await davObjects(cal.local_href)).map(davGet))
	assert.ok(all.some(t => t.includes('RECURRENCE-ID') && t.includes('EXDATE')), 'recurring event with exceptions')
	assert.ok(all.some(t => t.includes('Design review with Fabrikam') && t.includes('ATTENDEE')), 'meeting from Exchange')
	const cards = await Promise.all((await davObjects(con.local_href)).map(davGet))
	assert.ok(cards.some(t => t.includes('Sofia') && /PHOTO/.test(t) && /BDAY/.test(t)), 'contact from Exchange with photo and birthday')
	await screenshot('test-data')
	await page.emulateMedia({ colorScheme: 'dark' })
	await page.waitForTimeout(500) // let the buttons' colour transitions end
	await screenshot('test-data-dark')
	await page.emulateMedia({ colorScheme: 'light' })
})

test('an edit in Exchange shows up in Nextcloud after sync now', { skip }, async () => {
	const cal = testLinks.find(l => l.kind === 'calendar')
	const sync = await ews(`<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties></m:ItemShape><m:SyncFolderId><t:FolderId Id="${cal.remote_folder_id}"/></m:SyncFolderId><m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>`)
	const m = sync.match(/<t:CalendarItem><t:ItemId Id="([^"]+)" ChangeKey="([^"]+)"\/><t:Subject>Design review with Fabrikam<\/t:Subject>/)
	assert.ok(m, 'the review meeting in the Exchange folder: ' + sync.slice(0, 2000))
	await ews(`<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="${m[1]}" ChangeKey="${m[2]}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Design review (moved to room 2)</t:Subject></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`)
	const r = row(cal.remote_name)
	await r.getByRole('button', { name: 'Sync now' }).click()
	await r.getByText(/Last run: 0 created, 1 updated, 0 deleted in Nextcloud/).waitFor({ timeout: 30000 })
	const all = await Promise.all((await davObjects(cal.local_href)).map(davGet))
	assert.ok(all.some(t => t.includes('SUMMARY:Design review (moved to room 2)')), 'edited subject in Nextcloud')
	await screenshot('synced-edit')
})

async function loginAs(user) {
	await page.goto(nc + '/logout')
	await page.getByRole('button', { name: user }).click()
	await page.goto(nc + '/index.php/apps/app_api/embedded/ews_connector/main')
}

test('the admin part lists every account with its health, without secrets', { skip }, async () => {
	await loginAs('admin')
	const panel = page.locator('section.ews-admin')
	await panel.getByRole('heading', { name: 'Administration: connected accounts' }).waitFor()
	await panel.getByRole('cell', { name: 'alice', exact: true }).waitFor()
	assert.match(await panel.innerText(), /connected/)
	assert.ok(!(await page.content()).includes('secret'))
	await screenshot('admin')
	await loginAs('alice')
	await page.getByRole('heading', { name: 'Exchange account alice' }).waitFor()
	// A plain user sees no admin part.
	assert.equal(await page.locator('section.ews-admin').count(), 0)
})

test('delete test data, then disconnect', { skip }, async () => {
	const st0 = await apiGet('/status')
	const others = st0.links.filter(l => !l.remote_name.startsWith('EWS Connector test'))
	await page.getByRole('button', { name: 'Delete test data' }).click()
	await page.getByText('Deleted 2 test collections on both sides.').waitFor({ timeout: 30000 })
	for (const l of testLinks) {
		await row(l.remote_name).waitFor({ state: 'detached' })
		assert.equal(await davObjects(l.local_href), null, `${l.local_href} is gone`)
	}
	const st = await apiGet('/status')
	assert.deepEqual(st.links.map(l => l.id), others.map(l => l.id), 'only the test links are gone')
	await screenshot('test-data-deleted')
	await page.getByRole('button', { name: 'Disconnect' }).click()
	await page.getByRole('button', { name: 'Disconnect now' }).click()
	await page.getByRole('heading', { name: 'Connect to Exchange' }).waitFor()
	const after = await apiGet('/status')
	assert.equal(after.accounts.length, 0)
	assert.equal(after.links.length, 0)
	await screenshot('disconnected')
})
