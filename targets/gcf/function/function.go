// Package function is the deployable source of deepgo as a Google Cloud Function: it
// registers the HTTP function DeepGo (entry point "DeepGo", adapters/gcf.Name) with the
// Functions Framework. `make gcf` puts it at the root of dist/gcf, with the module, ready
// for `gcloud functions deploy` (see docs/deploy-gcf.md).
//
//	function.go  the init that calls adapters/gcf.Register (the package's only file, so
//	             that make gcf copies its documentation with it)
package function

import "github.com/deepgo/deepgo/adapters/gcf"

func init() { gcf.Register() }
