package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFiles embed.FS

// staticHandler serves the embedded assets (the top-menu icon img/app.svg; later the built frontend).
func staticHandler() echo.HandlerFunc {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory exists
	}
	h := http.FileServer(http.FS(sub))
	return func(c echo.Context) error {
		if strings.HasSuffix(c.Request().URL.Path, "/") {
			return echo.NewHTTPError(http.StatusNotFound, "not found") // no directory listings
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
