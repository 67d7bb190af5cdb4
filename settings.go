package kith

// SettingsReader holds the reads of workspace settings and API keys.
type SettingsReader interface{}

// SettingsWriter holds the writes of workspace settings and API keys.
type SettingsWriter interface{}
