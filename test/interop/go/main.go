// Command interop drives a Mixer server's gRPC API the way Istio's own code does: requests are
// built from Istio's generated istio.io/api/mixer/v1 types (compressed attributes, global and
// per-message words), sent with Istio's generated gRPC client, and the answers are read back
// with the same types. It prints one JSON summary on stdout for the calling test to check.
//
// Usage: interop -target HOST:PORT -dictionary PATH/TO/global_dictionary.yaml
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	mixerpb "istio.io/api/mixer/v1"
)

// rawCodec sends bytes as they are, for the malformed-request scenario.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

type session struct {
	conn   *grpc.ClientConn
	client mixerpb.MixerClient
	global []string
}

func main() {
	target := flag.String("target", "", "host:port of the Mixer gRPC API")
	dictionaryPath := flag.String("dictionary", "", "Istio's mixer/v1/global_dictionary.yaml")
	flag.Parse()
	if err := run(*target, *dictionaryPath); err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
}

func run(target, dictionaryPath string) error {
	global, err := readGlobalDictionary(dictionaryPath)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, target, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		return fmt.Errorf("dial %s: %v", target, err)
	}
	defer conn.Close()
	s := &session{conn: conn, client: mixerpb.NewMixerClient(conn), global: global}

	summary := map[string]interface{}{
		"dictionary": map[string]interface{}{"words": len(global), "word94": global[94], "word218": global[218], "word221": global[221]},
	}
	summary["allow"] = s.check(s.fullRequest("reviews", len(global)))
	summary["olderClient"] = s.check(s.fullRequest("reviews", 111))
	summary["typed"] = s.check(s.fullRequest("typed", len(global)))
	summary["deny"] = s.check(s.simpleCheck(map[string]string{"app": "ratings"}, map[string]string{"app": "reviews", "version": "v3"}, "go-deny-1"))
	summary["whitelist"] = s.check(s.simpleCheck(map[string]string{"app": "details"}, map[string]string{"app": "reviews"}, ""))
	var grants []int64
	for _, id := range []string{"go-q-1", "go-q-1", "go-q-2", "go-q-3", "go-q-4"} {
		result := s.check(s.simpleCheck(map[string]string{"app": "go-quota"}, map[string]string{"app": "productpage"}, id))
		grants = append(grants, result.Quotas["requestcount"].Granted)
	}
	summary["quotaGrants"] = grants
	newer := s.simpleCheck(map[string]string{"app": "reviews"}, nil, "")
	newer.GlobalWordCount = 223
	summary["newerDictionary"] = s.check(newer)
	summary["badIndex"] = s.check(s.badIndexRequest())
	summary["truncated"] = s.truncated()
	summary["reportIndependent"] = s.report(s.independentReport())
	summary["reportDelta"] = s.report(s.deltaReport())
	summary["reportBadEntry"] = s.report(s.badEntryReport())
	newerReport := s.independentReport()
	newerReport.GlobalWordCount = 300
	summary["reportNewerDictionary"] = s.report(newerReport)
	summary["reportEmpty"] = s.report(&mixerpb.ReportRequest{})

	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	return out.Encode(summary)
}

type statusJSON struct {
	Code    int32  `json:"code"`
	Message string `json:"message"`
}

type headerJSON struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	Operation string `json:"operation"`
}

type quotaJSON struct {
	Granted         int64    `json:"granted"`
	ValidDurationMs int64    `json:"validDurationMs"`
	StatusCode      int32    `json:"statusCode"`
	Referenced      []string `json:"referenced"`
}

type checkResult struct {
	GrpcCode           uint32               `json:"grpcCode"`
	GrpcMessage        string               `json:"grpcMessage,omitempty"`
	Status             *statusJSON          `json:"status,omitempty"`
	ValidDurationMs    int64                `json:"validDurationMs"`
	ValidUseCount      int32                `json:"validUseCount"`
	Referenced         []string             `json:"referenced"`
	ReferencedValid    bool                 `json:"referencedValid"`
	ReferencedWords    []string             `json:"referencedWords"`
	MaxNameIndex       int32                `json:"maxNameIndex"`
	MaxKeyIndex        int32                `json:"maxKeyIndex"`
	RequestHeaders     []headerJSON         `json:"requestHeaders"`
	ResponseHeaders    []headerJSON         `json:"responseHeaders"`
	DirectResponseCode uint32               `json:"directResponseCode"`
	Quotas             map[string]quotaJSON `json:"quotas"`
}

func (s *session) check(request *mixerpb.CheckRequest) checkResult {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	response, err := s.client.Check(ctx, request)
	if err != nil {
		st := status.Convert(err)
		return checkResult{GrpcCode: uint32(st.Code()), GrpcMessage: st.Message()}
	}
	p := response.Precondition
	result := checkResult{
		Status:          &statusJSON{Code: p.Status.Code, Message: p.Status.Message},
		ValidDurationMs: int64(p.ValidDuration / time.Millisecond),
		ValidUseCount:   p.ValidUseCount,
		Quotas:          map[string]quotaJSON{},
	}
	result.Referenced, result.ReferencedValid = decodeReferenced(p.ReferencedAttributes, s.global)
	result.MaxNameIndex, result.MaxKeyIndex = maxIndexes(p.ReferencedAttributes)
	if p.ReferencedAttributes != nil {
		result.ReferencedWords = p.ReferencedAttributes.Words
	}
	if rd := p.RouteDirective; rd != nil {
		for _, op := range rd.RequestHeaderOperations {
			result.RequestHeaders = append(result.RequestHeaders, headerJSON{op.Name, op.Value, op.Operation.String()})
		}
		for _, op := range rd.ResponseHeaderOperations {
			result.ResponseHeaders = append(result.ResponseHeaders, headerJSON{op.Name, op.Value, op.Operation.String()})
		}
		result.DirectResponseCode = rd.DirectResponseCode
	}
	for name, quota := range response.Quotas {
		referenced, _ := decodeReferenced(&quota.ReferencedAttributes, s.global)
		result.Quotas[name] = quotaJSON{
			Granted:         quota.GrantedAmount,
			ValidDurationMs: int64(quota.ValidDuration / time.Millisecond),
			StatusCode:      quota.Status.Code,
			Referenced:      referenced,
		}
	}
	return result
}

type callResult struct {
	GrpcCode    uint32 `json:"grpcCode"`
	GrpcMessage string `json:"grpcMessage,omitempty"`
}

func (s *session) report(request *mixerpb.ReportRequest) callResult {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.client.Report(ctx, request); err != nil {
		st := status.Convert(err)
		return callResult{GrpcCode: uint32(st.Code()), GrpcMessage: st.Message()}
	}
	return callResult{}
}

// truncated sends a well-formed CheckRequest cut short by two bytes.
func (s *session) truncated() callResult {
	full, err := s.fullRequest("reviews", len(s.global)).Marshal()
	if err != nil {
		return callResult{GrpcCode: 99, GrpcMessage: err.Error()}
	}
	cut := full[:len(full)-2]
	var reply []byte
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = s.conn.Invoke(ctx, "/istio.mixer.v1.Mixer/Check", &cut, &reply, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		st := status.Convert(err)
		return callResult{GrpcCode: uint32(st.Code()), GrpcMessage: st.Message()}
	}
	return callResult{}
}
