package importer

import "io"

// NewID is newID, for the tests of package importer_test.
var NewID = newID

// CountReads wraps r in a countingReader, for the tests of package
// importer_test, and returns a function that tells how much was read.
func CountReads(r io.Reader) (io.Reader, func() int64) {
	c := &countingReader{r: r}
	return c, func() int64 { return c.n }
}
