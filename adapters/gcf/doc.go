// Package gcf serves the OpenAI routes from a Google Cloud Function (or any host of the
// Functions Framework, such as a Cloud Run container), through the one protocol layer
// (adapters/openai) the edge server uses too. Streamed replies are flushed event by event
// through http.Flusher.
//
// The model opens once per instance from DEEPGO_MODEL (see adapters/openai.Config.Register
// for every variable): Register starts opening it at once, and requests wait for it; if it
// cannot be opened, every request gets a 500 that says why. The deployable package that
// calls Register is targets/gcf/function; targets/gcf/cmd serves it locally or in a
// container.
//
//	gcf.go  Name, Register, and Function: the HTTP function, opening the model on first use
package gcf
