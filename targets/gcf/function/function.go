// Package function is the deployable source of deepgo as a Google Cloud Function: it
// registers the HTTP function DeepGo (entry point "DeepGo"). `make gcf` puts it at the
// root of dist/gcf, with the module, ready for `gcloud functions deploy` (see
// docs/deploy-gcf.md).
package function

import "github.com/deepgo/deepgo/adapters/gcf"

func init() { gcf.Register() }
