// Command deepgo-gcf serves the deepgo Cloud Function through the Functions Framework: the
// container entry (Cloud Run, or a Cloud Functions container) and `make gcf-local`.
//
// It listens on $PORT (default 8080) on $HOST (default 127.0.0.1; a container sets
// 0.0.0.0), and serves the model DEEPGO_MODEL names. The function is registered by
// importing targets/gcf/function; FUNCTION_TARGET (DeepGo when unset) makes it answer at /,
// as it does on Cloud Functions.
//
//	main.go  the Functions Framework's server on $HOST:$PORT
package main

import (
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/deepgo/deepgo/adapters/gcf"
	_ "github.com/deepgo/deepgo/targets/gcf/function" // registers the function
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host := os.Getenv("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	// Serve the function at / whatever its name, as Cloud Functions does.
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", gcf.Name)
	}
	if err := funcframework.StartHostPort(host, port); err != nil {
		log.Fatalf("deepgo-gcf: %v", err)
	}
}
