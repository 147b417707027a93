package openai

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/deepgo/deepgo/core/serving"
)

// Metrics are a handler's counters, written in the Prometheus text format by GET /metrics.
type Metrics struct {
	mu               sync.Mutex
	requests         map[requestKey]int64
	promptTokens     int64
	cachedTokens     int64
	completionTokens int64
	rateLimited      int64
	disconnects      int64
	ttft             histogram // seconds from request to first token
	tokensPerSecond  histogram // decode speed of each request
	genSeconds       float64   // time spent generating, summed over requests
	connsRefused     int64     // connections refused over the transport's limit
	openConns        func() int64
}

type requestKey struct {
	route string
	code  int
}

// histogram is a Prometheus histogram with fixed buckets.
type histogram struct {
	bounds []float64
	counts []int64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      int64
}

func newHistogram(bounds ...float64) histogram {
	return histogram{bounds: bounds, counts: make([]int64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		requests:        make(map[requestKey]int64),
		ttft:            newHistogram(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
		tokensPerSecond: newHistogram(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
	}
}

// Request counts a finished request by route and status.
func (m *Metrics) Request(route string, code int) {
	m.mu.Lock()
	m.requests[requestKey{route, code}]++
	m.mu.Unlock()
}

func (m *Metrics) generated(g serving.Generation, ttft, decode time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.promptTokens += int64(g.PromptTokens)
	m.cachedTokens += int64(g.CachedTokens)
	m.completionTokens += int64(g.CompletionTokens)
	if g.CompletionTokens > 0 {
		m.ttft.observe(ttft.Seconds())
	}
	if g.CompletionTokens > 1 && decode > 0 {
		m.tokensPerSecond.observe(float64(g.CompletionTokens-1) / decode.Seconds())
	}
	m.genSeconds += (ttft + decode).Seconds()
}

func (m *Metrics) limited() {
	m.mu.Lock()
	m.rateLimited++
	m.mu.Unlock()
}

func (m *Metrics) disconnected() {
	m.mu.Lock()
	m.disconnects++
	m.mu.Unlock()
}

// ConnectionRefused counts a connection refused because the transport holds its limit.
func (m *Metrics) ConnectionRefused() {
	m.mu.Lock()
	m.connsRefused++
	m.mu.Unlock()
}

// CountConnections makes the metrics report open() as the number of open connections.
func (m *Metrics) CountConnections(open func() int64) {
	m.mu.Lock()
	m.openConns = open
	m.mu.Unlock()
}

// write writes the metrics, with the scheduler's and model's when a model is loaded.
func (m *Metrics) write(w io.Writer, b *Backend) {
	m.mu.Lock()
	defer m.mu.Unlock()
	metric := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	metric("deepgo_requests_total", "counter", "HTTP requests answered, by route and status code.")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		if a.route != b.route {
			if a.route < b.route {
				return -1
			}
			return 1
		}
		return a.code - b.code
	})
	for _, k := range keys {
		fmt.Fprintf(w, "deepgo_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, m.requests[k])
	}
	counter := func(name, help string, v int64) {
		metric(name, "counter", help)
		fmt.Fprintf(w, "%s %d\n", name, v)
	}
	gauge := func(name, help string, v float64) {
		metric(name, "gauge", help)
		fmt.Fprintf(w, "%s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64))
	}
	counter("deepgo_prompt_tokens_total", "Prompt tokens of generation requests.", m.promptTokens)
	counter("deepgo_prompt_tokens_cached_total", "Prompt tokens found in a slot's KV cache and not computed again.", m.cachedTokens)
	counter("deepgo_completion_tokens_total", "Tokens generated.", m.completionTokens)
	counter("deepgo_rate_limited_total", "Requests refused by a rate limit.", m.rateLimited)
	counter("deepgo_client_disconnects_total", "Requests whose client went away before the end of the reply.", m.disconnects)
	if m.openConns != nil {
		gauge("deepgo_connections_open", "Connections open now.", float64(m.openConns()))
		counter("deepgo_connections_refused_total", "Connections answered 503 because the server held its limit (--max-conns).", m.connsRefused)
	}
	metric("deepgo_generation_seconds_total", "counter", "Time spent generating, summed over requests.")
	fmt.Fprintf(w, "deepgo_generation_seconds_total %s\n", strconv.FormatFloat(m.genSeconds, 'g', -1, 64))
	m.ttft.write(w, "deepgo_time_to_first_token_seconds", "Time from a request's arrival to its first generated token.")
	m.tokensPerSecond.write(w, "deepgo_generation_tokens_per_second", "Decode speed of each request after its first token.")
	loaded := 0.0
	if b != nil {
		loaded = 1
	}
	gauge("deepgo_model_loaded", "1 once the model is loaded and requests are served.", loaded)
	if b == nil {
		return
	}
	st := b.sched.Stats()
	gauge("deepgo_slots", "Generation slots (sequences with their own KV cache).", float64(st.Slots))
	gauge("deepgo_active_generations", "Slots generating now.", float64(st.Active))
	gauge("deepgo_queue_depth", "Requests waiting for a slot.", float64(st.Queued))
	counter("deepgo_overloaded_total", "Requests refused because the queue was full.", st.Rejected)
	gauge("deepgo_kv_cache_bytes", "KV cache memory held: idle slots' caches and running requests' reservations.", float64(st.KVBytes))
	gauge("deepgo_kv_cache_reserved_bytes", "KV cache memory reserved by the running requests.", float64(st.KVReserved))
	gauge("deepgo_kv_cache_budget_bytes", "The KV cache budget (--kv-budget; 0 = none).", float64(st.KVBudget))
	counter("deepgo_spec_passes_total", "Checking passes of speculative decoding (with at least one drafted token).", st.Spec.Passes)
	counter("deepgo_spec_drafted_tokens_total", "Tokens drafted by speculative decoding.", st.Spec.Drafted)
	counter("deepgo_spec_accepted_tokens_total", "Drafted tokens accepted.", st.Spec.Accepted)
	gauge("deepgo_spec_accepted_per_pass", "Mean drafted tokens accepted per checking pass (spec_accepted_per_pass).", st.Spec.AcceptedPerPass())
	if rates := st.Spec.AcceptByPos(); len(rates) > 0 {
		metric("deepgo_spec_accept_by_pos", "gauge", "Acceptance rate at each draft position, given the earlier drafts accepted (spec_accept_by_pos).")
		for i, r := range rates {
			fmt.Fprintf(w, "deepgo_spec_accept_by_pos{pos=\"%d\"} %s\n", i+1, strconv.FormatFloat(r, 'g', -1, 64))
		}
	}
	ms := b.sched.Model().Stats()
	counter("deepgo_forward_tokens_total", "Tokens through the forward pass (prompt and generated).", ms.Tokens)
	counter("deepgo_forward_passes_total", "Forward passes; tokens per pass is the batch size (continuous batching).", ms.Passes)
	counter("deepgo_expert_activations_total", "Routed experts computed, summed over tokens and layers.", ms.ExpertActivations)
	counter("deepgo_expert_loads_total", "Routed expert weight matrices read, once per expert per forward chunk.", ms.ExpertLoads)
	gauge("deepgo_experts_resident", "Routed experts whose weights are in memory (see --expert-budget).", float64(ms.ExpertsResident))
	gauge("deepgo_expert_bytes_resident", "Weight bytes of the resident routed experts.", float64(ms.ExpertBytesResident))
	counter("deepgo_expert_hits_total", "Routed experts a forward chunk needed that were resident.", ms.ExpertHits)
	counter("deepgo_expert_misses_total", "Routed experts a forward chunk needed that were not resident and were paged in.", ms.ExpertMisses)
	counter("deepgo_expert_bytes_paged_in_total", "Weight bytes of the routed experts paged in.", ms.ExpertBytesPagedIn)
	counter("deepgo_expert_releases_total", "Routed experts released to keep under the expert budget.", ms.ExpertReleases)
	metric("deepgo_expert_stall_seconds_total", "counter", "Time the forward pass waited for the pages of routed experts paged in.")
	fmt.Fprintf(w, "deepgo_expert_stall_seconds_total %s\n", strconv.FormatFloat(ms.ExpertStall.Seconds(), 'g', -1, 64))
}

func (h *histogram) write(w io.Writer, name, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var cum int64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", name, strconv.FormatFloat(b, 'g', -1, 64), cum)
	}
	cum += h.counts[len(h.bounds)]
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n", name, cum)
	fmt.Fprintf(w, "%s_sum %s\n%s_count %d\n", name, strconv.FormatFloat(h.sum, 'g', -1, 64), name, h.n)
}
