// Command ews-connector is the EWS Connector, a Nextcloud External App (AppAPI) that synchronises
// Exchange (EWS) calendars and contacts with Nextcloud. Run `ews-connector help` for its commands.
package main

import (
	"os"

	"github.com/ewsconnector/ews_connector/internal/app"
)

func main() { os.Exit(app.Main(os.Args[1:])) }
