package main

import (
	"time"

	mixerpb "istio.io/api/mixer/v1"
)

// attributes fills one CompressedAttributes through a dictionary (shared by a Report batch).
type attributes struct {
	d  *dictionary
	ca mixerpb.CompressedAttributes
}

func newAttributes(d *dictionary) *attributes { return &attributes{d: d} }

func (a *attributes) str(name, value string) *attributes {
	if a.ca.Strings == nil {
		a.ca.Strings = map[int32]int32{}
	}
	a.ca.Strings[a.d.index(name)] = a.d.index(value)
	return a
}

func (a *attributes) int64(name string, value int64) *attributes {
	if a.ca.Int64S == nil {
		a.ca.Int64S = map[int32]int64{}
	}
	a.ca.Int64S[a.d.index(name)] = value
	return a
}

func (a *attributes) double(name string, value float64) *attributes {
	if a.ca.Doubles == nil {
		a.ca.Doubles = map[int32]float64{}
	}
	a.ca.Doubles[a.d.index(name)] = value
	return a
}

func (a *attributes) boolean(name string, value bool) *attributes {
	if a.ca.Bools == nil {
		a.ca.Bools = map[int32]bool{}
	}
	a.ca.Bools[a.d.index(name)] = value
	return a
}

func (a *attributes) timestamp(name string, value time.Time) *attributes {
	if a.ca.Timestamps == nil {
		a.ca.Timestamps = map[int32]time.Time{}
	}
	a.ca.Timestamps[a.d.index(name)] = value
	return a
}

func (a *attributes) duration(name string, value time.Duration) *attributes {
	if a.ca.Durations == nil {
		a.ca.Durations = map[int32]time.Duration{}
	}
	a.ca.Durations[a.d.index(name)] = value
	return a
}

func (a *attributes) bytes(name string, value []byte) *attributes {
	if a.ca.Bytes == nil {
		a.ca.Bytes = map[int32][]byte{}
	}
	a.ca.Bytes[a.d.index(name)] = value
	return a
}

func (a *attributes) stringMap(name string, value map[string]string) *attributes {
	if a.ca.StringMaps == nil {
		a.ca.StringMaps = map[int32]mixerpb.StringMap{}
	}
	a.ca.StringMaps[a.d.index(name)] = a.d.stringMap(value)
	return a
}

// message returns the attributes with the dictionary's words as the message's own (a Check).
func (a *attributes) message() mixerpb.CompressedAttributes {
	a.ca.Words = a.d.words
	return a.ca
}

// int64 beyond 2^53, which a float64 (and a JS number) cannot hold exactly.
const bigSize = int64(1)<<53 + 1

var requestTime = time.Date(2019, 11, 15, 17, 32, 47, 123456789, time.UTC)

// fullRequest calls app (from productpage) with every kind of value, a quota and a dedup id,
// compressed against the first globalCount global words.
func (s *session) fullRequest(app string, globalCount int) *mixerpb.CheckRequest {
	a := newAttributes(newDictionary(s.global, globalCount)).
		stringMap("destination.labels", map[string]string{"app": app, "version": "v1"}).
		stringMap("source.labels", map[string]string{"app": "productpage"}).
		stringMap("request.headers", map[string]string{":method": "GET", "user-agent": "istio-go-interop", "x-request-id": "r-1"}).
		str("request.method", "GET").
		str("request.path", "/reviews/1").
		str("destination.service.host", "reviews.default.svc.cluster.local").
		str("context.protocol", "http").
		int64("request.size", bigSize).
		double("custom.ratio", 0.5).
		boolean("connection.mtls", true).
		timestamp("request.time", requestTime).
		duration("response.duration", 1500*time.Millisecond).
		bytes("source.ip", []byte{10, 1, 2, 3}).
		bytes("destination.ip", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	return &mixerpb.CheckRequest{
		Attributes:      a.message(),
		GlobalWordCount: uint32(globalCount),
		DeduplicationId: "go-allow-1",
		Quotas:          map[string]mixerpb.CheckRequest_QuotaParams{"requestcount": {Amount: 1}},
	}
}

func (s *session) simpleCheck(destination, source map[string]string, dedup string) *mixerpb.CheckRequest {
	a := newAttributes(newDictionary(s.global, len(s.global))).stringMap("destination.labels", destination)
	if source != nil {
		a.stringMap("source.labels", source)
	}
	return &mixerpb.CheckRequest{
		Attributes:      a.message(),
		GlobalWordCount: uint32(len(s.global)),
		DeduplicationId: dedup,
		Quotas:          map[string]mixerpb.CheckRequest_QuotaParams{"requestcount": {Amount: 1}},
	}
}

// badIndexRequest names a string value by message word -5 when the message has one word.
func (s *session) badIndexRequest() *mixerpb.CheckRequest {
	d := newDictionary(s.global, len(s.global))
	ca := mixerpb.CompressedAttributes{
		Words:   []string{"only-word"},
		Strings: map[int32]int32{d.index("source.name"): -5},
	}
	return &mixerpb.CheckRequest{Attributes: ca, GlobalWordCount: uint32(len(s.global))}
}

func (s *session) reportEntry(d *dictionary, path string, code int64) *attributes {
	return newAttributes(d).
		str("context.protocol", "http").
		str("request.path", path).
		int64("response.code", code).
		int64("request.size", bigSize).
		timestamp("request.time", requestTime).
		duration("response.duration", 25*time.Millisecond).
		bytes("source.ip", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}).
		boolean("connection.mtls", true).
		stringMap("source.labels", map[string]string{"app": "go-reporter"}).
		stringMap("request.headers", map[string]string{"user-agent": "istio-go-interop"})
}

// independentReport is Envoy 1.1+'s encoding: one dictionary for the batch in default_words,
// every entry a whole bag with empty words.
func (s *session) independentReport() *mixerpb.ReportRequest {
	d := newDictionary(s.global, len(s.global))
	var entries []mixerpb.CompressedAttributes
	for i, path := range []string{"/go/independent/1", "/go/independent/2", "/go/independent/3"} {
		entries = append(entries, s.reportEntry(d, path, 200+int64(i)).ca)
	}
	return &mixerpb.ReportRequest{
		Attributes:                  entries,
		DefaultWords:                d.words,
		GlobalWordCount:             uint32(len(s.global)),
		RepeatedAttributesSemantics: mixerpb.INDEPENDENT_ENCODING,
	}
}

// deltaReport is Envoy 1.0's encoding: entry 0 whole, later entries only what changed.
func (s *session) deltaReport() *mixerpb.ReportRequest {
	d := newDictionary(s.global, len(s.global))
	first := s.reportEntry(d, "/go/delta/1", 200).ca
	second := newAttributes(d).int64("response.code", 404).ca
	third := newAttributes(d).str("request.path", "/go/delta/3").ca
	return &mixerpb.ReportRequest{
		Attributes:                  []mixerpb.CompressedAttributes{first, second, third},
		DefaultWords:                d.words,
		GlobalWordCount:             uint32(len(s.global)),
		RepeatedAttributesSemantics: mixerpb.DELTA_ENCODING,
	}
}

// badEntryReport has a middle entry whose path names a word the batch does not have.
func (s *session) badEntryReport() *mixerpb.ReportRequest {
	d := newDictionary(s.global, len(s.global))
	first := s.reportEntry(d, "/go/bad-batch/1", 200).ca
	bad := newAttributes(d).str("context.protocol", "http").ca
	bad.Strings[d.index("request.path")] = -1000
	last := s.reportEntry(d, "/go/bad-batch/3", 200).ca
	return &mixerpb.ReportRequest{
		Attributes:                  []mixerpb.CompressedAttributes{first, bad, last},
		DefaultWords:                d.words,
		GlobalWordCount:             uint32(len(s.global)),
		RepeatedAttributesSemantics: mixerpb.INDEPENDENT_ENCODING,
	}
}
