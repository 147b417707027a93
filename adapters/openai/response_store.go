package openai

import (
	"container/list"
	"sync"

	"github.com/deepgo/deepgo/core/chat"
)

// Defaults of the response store's bounds.
const (
	defaultStoredResponses     = 1000
	defaultStoredResponseBytes = 64 << 20
)

// responseStore keeps the recent responses of the Responses API in memory, for
// previous_response_id and GET /v1/responses/{id}: the least recently used goes first
// when there are more than count of them or they hold more than maxBytes.
type responseStore struct {
	mu       sync.Mutex
	count    int
	maxBytes int64
	bytes    int64
	order    *list.List // of *storedResponse, the most recently used in front
	byID     map[string]*list.Element
	byItem   map[string]*list.Element // a kept response by the id of an output item
}

// storedResponse is a kept response: its conversation (input and output, without the
// instructions), its output items as input items (for item_reference), and its response
// object's JSON.
type storedResponse struct {
	owner        string // the caller who made it: only they may continue or read it
	id           string
	conversation []chat.Message
	items        map[string]ResponseItem // by item id
	body         []byte
	size         int64
}

// newResponseStore returns a store of at most count responses and maxBytes bytes
// (0 = the defaults; a negative count keeps none).
func newResponseStore(count int, maxBytes int64) *responseStore {
	if count == 0 {
		count = defaultStoredResponses
	}
	if maxBytes <= 0 {
		maxBytes = defaultStoredResponseBytes
	}
	return &responseStore{count: max(count, 0), maxBytes: maxBytes, order: list.New(), byID: map[string]*list.Element{}, byItem: map[string]*list.Element{}}
}

// put keeps a response, evicting the least recently used ones over the bounds. One larger
// than the whole store is not kept.
func (s *responseStore) put(owner, id string, conversation []chat.Message, items map[string]ResponseItem, body []byte) {
	r := &storedResponse{owner: owner, id: id, conversation: conversation, items: items, body: body,
		size: int64(len(id) + len(body) + conversationSize(conversation) + itemsSize(items))}
	if s.count == 0 || r.size > s.maxBytes {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok {
		s.remove(el)
	}
	el := s.order.PushFront(r)
	s.byID[id] = el
	for itemID := range items {
		s.byItem[itemID] = el
	}
	s.bytes += r.size
	for s.order.Len() > s.count || s.bytes > s.maxBytes {
		s.remove(s.order.Back())
	}
}

func (s *responseStore) remove(el *list.Element) {
	r := s.order.Remove(el).(*storedResponse)
	delete(s.byID, r.id)
	for itemID := range r.items {
		if s.byItem[itemID] == el {
			delete(s.byItem, itemID)
		}
	}
	s.bytes -= r.size
}

// get returns the response owner kept as id, and marks it used.
func (s *responseStore) get(owner, id string) (*storedResponse, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byID[id]
	if !ok || el.Value.(*storedResponse).owner != owner {
		return nil, false
	}
	s.order.MoveToFront(el)
	return el.Value.(*storedResponse), true
}

// keptResponses are one caller's kept responses, as decodeResponse reads them.
type keptResponses struct {
	store *responseStore
	owner string
}

// conversation is a kept response's conversation, for previous_response_id.
func (k keptResponses) conversation(id string) ([]chat.Message, bool) {
	r, ok := k.store.get(k.owner, id)
	if !ok {
		return nil, false
	}
	return r.conversation, true
}

// item is a kept output item, as an input item, for item_reference.
func (k keptResponses) item(id string) (ResponseItem, bool) {
	s := k.store
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byItem[id]
	if !ok || el.Value.(*storedResponse).owner != k.owner {
		return ResponseItem{}, false
	}
	s.order.MoveToFront(el)
	return el.Value.(*storedResponse).items[id], true
}

// itemsSize estimates the bytes items hold.
func itemsSize(items map[string]ResponseItem) int {
	n := 0
	for id, it := range items {
		n += 64 + len(id) + len(it.CallID) + len(it.Name)
		if it.Arguments != nil {
			n += len(*it.Arguments)
		}
		if it.Content != nil && it.Content.Text != nil {
			n += len(*it.Content.Text)
		}
	}
	return n
}

// conversationSize estimates the bytes messages hold.
func conversationSize(ms []chat.Message) int {
	n := 0
	for _, m := range ms {
		n += 64 + len(m.Role) + len(m.ReasoningContent) + len(m.ToolCallID) + len(m.Name)
		if m.Content != nil {
			n += len(*m.Content)
		}
		for _, c := range m.ToolCalls {
			n += 64 + len(c.ID) + len(c.Function.Name) + len(c.Function.Arguments)
		}
	}
	return n
}
