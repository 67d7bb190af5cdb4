package ingest

import (
	"strings"
	"sync"
	"time"

	useragent "github.com/medama-io/go-useragent"

	"github.com/kithcdp/kith"
)

var (
	uaOnce   sync.Once
	uaParser *useragent.Parser
)

// ParseDevice turns a User-Agent header into a device seen at a time, or
// nil when the header is empty, names no browser, or is a bot or an HTTP
// library: those are not a customer's device.
func ParseDevice(userAgent string, at time.Time) *kith.Device {
	if strings.TrimSpace(userAgent) == "" {
		return nil
	}
	uaOnce.Do(func() { uaParser = useragent.NewParser() })
	ua := uaParser.Parse(userAgent)
	browser := ua.GetBrowser()
	if browser == "" || ua.IsBot() {
		return nil
	}
	if v := ua.GetMajorVersion(); v != "" {
		browser += " " + v
	}
	os := ua.GetOS()
	if os == "" {
		os = "Unknown"
	}
	return &kith.Device{Browser: browser, OS: os, DeviceType: deviceType(ua), LastSeenAt: at}
}

func deviceType(ua useragent.UserAgent) string {
	switch {
	case ua.IsTablet():
		return "tablet"
	case ua.IsMobile():
		return "mobile"
	case ua.IsTV():
		return "tv"
	default:
		return "desktop"
	}
}
