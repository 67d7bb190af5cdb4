package kith

// ManagementReader holds the reads of the profile management API (the
// catalogues, lists, notes, exports). Both stores implement it.
type ManagementReader interface{}

// ManagementWriter holds the writes of the profile management API.
type ManagementWriter interface{}
