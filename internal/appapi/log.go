package appapi

import (
	"context"
	"errors"
	"net/http"
)

// LogLevel is a nextcloud.log level (0 debug … 4 fatal).
type LogLevel int

// Nextcloud log levels (OCP\ILogger).
const (
	LogDebug LogLevel = iota
	LogInfo
	LogWarn
	LogError
	LogFatal
)

// ErrLogLevel means a level outside 0..4 (Nextcloud answers 400).
var ErrLogLevel = errors.New("appapi: log level must be within 0..4")

// Log writes message to nextcloud.log with POST …/api/v1/log (AppAPI OCSApiController::log); the entry
// carries app = APP_ID. Never pass secrets.
func (c *Client) Log(ctx context.Context, level LogLevel, message string) error {
	if level < LogDebug || level > LogFatal {
		return ErrLogLevel
	}
	return c.OCS(ctx, http.MethodPost, pathAPIv1+"/log", "", nil, map[string]any{"level": int(level), "message": message}, nil)
}
