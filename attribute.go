package kith

import "time"

// Attribute types.
const (
	TypeString   = "string"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeDatetime = "datetime"
	TypeList     = "list"
)

// IsAttributeType reports whether t is an attribute type.
func IsAttributeType(t string) bool {
	switch t {
	case TypeString, TypeNumber, TypeBoolean, TypeDate, TypeDatetime, TypeList:
		return true
	}
	return false
}

// AttributeDef is one entry of a workspace's attribute catalogue. Name and
// Type never change once defined.
type AttributeDef struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Description string    `json:"description"`
	Default     bool      `json:"default"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Tag is one entry of a workspace's tag catalogue.
type Tag struct {
	Name        string    `json:"name"`
	Color       string    `json:"color"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
}
