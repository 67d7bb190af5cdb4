// Package importer imports customers from CSV and NDJSON files (SPEC §5).
//
// A file is read as a stream: Run detects its format and CSV delimiter,
// maps its columns to identifiers, attributes, tags and agreements (by name,
// or through a Mapping), refuses unknown columns before anything is written,
// turns every row into a strict identity.Write with source "import", and
// applies the rows in batches through ingest.Service, one store transaction
// per batch. A bad row is reported (line, column, code, message) and
// skipped; it never aborts the import. A dry run applies the same batches
// inside one store transaction that is rolled back at the end, so that its
// counts are those a real run would give.
//
// Service records every import and its row errors in a Repository, runs
// imports in the background for the API, and answers their history.
// Repository has an in-memory and a file-backed implementation until the
// stores keep imports themselves (see docs/IMPORT.md).
package importer
