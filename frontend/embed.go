// Package frontend holds the EWS Connector page: a Vue 3 app (src/, built by Vite into dist/ with
// `make frontend`) and its browser tests (e2e/). The built bundle is committed so that `go build` and
// `go test` work without Node; Dist embeds it into the binary, which serves it under /js/ and /css/
// (the routes of appinfo/info.xml) for AppAPI's top-menu page.
package frontend

import "embed"

// Dist is the built page: dist/js/ews_connector-main.js and dist/css/ews_connector-main.css.
//
//go:embed all:dist
var Dist embed.FS
