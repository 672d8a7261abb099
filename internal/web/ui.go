package web

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ewsconnector/ews_connector/frontend"
	"github.com/ewsconnector/ews_connector/internal/appapi"
)

// Paths of the page's bundle, without extension, as AppAPI's ui/script and ui/style want them
// (https://docs.nextcloud.com/server/latest/developer_manual/exapp_development/tech_details/api/topmenu.html).
const (
	PageScript = "js/ews_connector-main"
	PageStyle  = "css/ews_connector-main"
)

// frontendHandler serves the built page (frontend.Dist) under /js/ and /css/. No HTML is served: the
// page is Nextcloud's own embedded template loading these files, so the proxy's .html rewriting and
// its Content-Length truncation never apply.
func frontendHandler() echo.HandlerFunc {
	sub, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	h := http.FileServer(http.FS(sub))
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasSuffix(p, "/") || strings.HasSuffix(p, ".html") {
			return echo.NewHTTPError(http.StatusNotFound, "not found")
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// PageAssetsRegistration registers the page's script and style for the top-menu entry (AppAPI
// ui/script and ui/style; Nextcloud loads them through the proxy as <path>.js and <path>.css).
func PageAssetsRegistration(nc *appapi.Client) Registration {
	return Registration{
		Name: "page assets",
		Register: func(ctx context.Context) error {
			if err := nc.RegisterScript(ctx, appapi.Script{Type: "top_menu", Name: TopMenuName, Path: PageScript}); err != nil {
				return err
			}
			return nc.RegisterStyle(ctx, appapi.Style{Type: "top_menu", Name: TopMenuName, Path: PageStyle})
		},
		Unregister: func(ctx context.Context) error {
			return errors.Join(ignoreNotFound(nc.UnregisterScript(ctx, "top_menu", TopMenuName, PageScript)),
				ignoreNotFound(nc.UnregisterStyle(ctx, "top_menu", TopMenuName, PageStyle)))
		},
	}
}
