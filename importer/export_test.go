package importer

// NewID is newID, for the tests of package importer_test.
var NewID = newID
