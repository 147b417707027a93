package gcf

import (
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/deepgo/deepgo/adapters/openai"
)

// Name is the function's name: its entry point (FUNCTION_TARGET).
const Name = "DeepGo"

// Register registers the function with the Functions Framework under Name and starts
// opening the model in the background.
func Register() {
	f := New(os.Getenv)
	go f.load()
	functions.HTTP(Name, f.ServeHTTP)
}

// Function is the HTTP function: it opens the model on first use and serves it.
type Function struct {
	load func() (http.Handler, error)
}

// New returns a function configured by getenv (os.Getenv).
func New(getenv func(string) string) *Function {
	return &Function{load: sync.OnceValues(func() (http.Handler, error) {
		log := slog.New(slog.NewJSONHandler(os.Stderr, nil)) // Cloud Logging reads JSON lines
		var cfg openai.Config
		var settings openai.Settings
		cfg.Register(&settings)
		if err := settings.ApplyEnv(nil, getenv); err != nil {
			log.Error("init failed", "err", err)
			return nil, err
		}
		start := time.Now()
		h, b, err := cfg.Open()
		if err != nil {
			log.Error("init failed", "model", cfg.Model, "err", err)
			return nil, err
		}
		log.Info("model loaded", "model", cfg.Model, "name", cfg.Handler.ModelName,
			"threads", b.Scheduler().Model().Threads(), "took", time.Since(start).Round(time.Millisecond).String())
		return h.HTTPHandler(cfg.MaxBody), nil
	})}
}

// ServeHTTP answers a request, waiting for the model if it is still opening. If it could not
// be opened, every request gets a 500 that says why.
func (f *Function) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	type result struct {
		h   http.Handler
		err error
	}
	ready := make(chan result, 1)
	go func() {
		h, err := f.load()
		ready <- result{h, err}
	}()
	var res result
	select {
	case res = <-ready:
	case <-r.Context().Done():
		return
	}
	if res.err != nil {
		e := openai.ErrBadRequest("the model could not be opened: " + res.err.Error())
		e.Status, e.Type = http.StatusInternalServerError, "server_error"
		code := "model_unavailable"
		e.Code = &code
		openai.WriteHTTP(w, openai.ErrorResponse(e).WithRequestID(r.Header.Get(openai.HeaderRequestID)))
		return
	}
	res.h.ServeHTTP(w, r)
}
