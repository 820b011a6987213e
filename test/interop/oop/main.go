// Command oopinterop checks the out-of-process wire encodings against Istio's own generated Go
// types (istio.io/api at Istio 1.4): it decodes the messages Mixer's TypeScript codec wrote
// (read as JSON from stdin) with istio.policy.v1beta1.Value and
// istio.mixer.adapter.model.v1beta1.{CheckResult, QuotaRequest, QuotaResult}, and encodes
// reference messages with the same types for the TypeScript side to decode. It prints one JSON
// object on stdout.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gogo/protobuf/proto"
	"github.com/gogo/protobuf/types"
	model "istio.io/api/mixer/adapter/model/v1beta1"
	policy "istio.io/api/policy/v1beta1"
	rpc "istio.io/gogo-genproto/googleapis/google/rpc"
)

type input struct {
	Values       []string `json:"values"`
	CheckResult  string   `json:"checkResult"`
	QuotaRequest string   `json:"quotaRequest"`
	QuotaResult  string   `json:"quotaResult"`
}

type output struct {
	Values       []string          `json:"values"`
	CheckResult  map[string]any    `json:"checkResult"`
	QuotaRequest map[string]string `json:"quotaRequest"`
	QuotaResult  map[string]string `json:"quotaResult"`
	Encoded      map[string]string `json:"encoded"`
}

func decode(text string, message proto.Message) {
	bytes, err := base64.StdEncoding.DecodeString(text)
	if err == nil {
		err = proto.Unmarshal(bytes, message)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot decode %T: %v\n", message, err)
		os.Exit(1)
	}
}

func encode(message proto.Message) string {
	bytes, err := proto.Marshal(message)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot encode %T: %v\n", message, err)
		os.Exit(1)
	}
	return base64.StdEncoding.EncodeToString(bytes)
}

// describe prints a Value as "<oneof case>:<value>".
func describe(value *policy.Value) string {
	switch v := value.Value.(type) {
	case *policy.Value_StringValue:
		return "string:" + v.StringValue
	case *policy.Value_Int64Value:
		return fmt.Sprintf("int64:%d", v.Int64Value)
	case *policy.Value_DoubleValue:
		return fmt.Sprintf("double:%g", v.DoubleValue)
	case *policy.Value_BoolValue:
		return fmt.Sprintf("bool:%t", v.BoolValue)
	case *policy.Value_IpAddressValue:
		return "ip:" + net.IP(v.IpAddressValue.Value).String()
	case *policy.Value_TimestampValue:
		at, _ := types.TimestampFromProto(v.TimestampValue.Value)
		return "timestamp:" + at.UTC().Format(time.RFC3339Nano)
	case *policy.Value_DurationValue:
		d, _ := types.DurationFromProto(v.DurationValue.Value)
		return "duration:" + d.String()
	case *policy.Value_EmailAddressValue:
		return "email:" + v.EmailAddressValue.Value
	case *policy.Value_DnsNameValue:
		return "dns:" + v.DnsNameValue.Value
	case *policy.Value_UriValue:
		return "uri:" + v.UriValue.Value
	case *policy.Value_StringMapValue:
		keys := make([]string, 0, len(v.StringMapValue.Value))
		for key := range v.StringMapValue.Value {
			keys = append(keys, key+"="+v.StringMapValue.Value[key])
		}
		sort.Strings(keys)
		return "stringmap:" + strings.Join(keys, "&")
	}
	return "unset"
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "bad input: %v\n", err)
		os.Exit(2)
	}
	out := output{QuotaRequest: map[string]string{}, QuotaResult: map[string]string{}, Encoded: map[string]string{}}
	for _, text := range in.Values {
		var value policy.Value
		decode(text, &value)
		out.Values = append(out.Values, describe(&value))
	}
	var check model.CheckResult
	decode(in.CheckResult, &check)
	out.CheckResult = map[string]any{"code": check.Status.Code, "message": check.Status.Message, "validDurationMs": check.ValidDuration.Milliseconds(), "validUseCount": check.ValidUseCount}
	var quotaRequest model.QuotaRequest
	decode(in.QuotaRequest, &quotaRequest)
	for name, params := range quotaRequest.Quotas {
		out.QuotaRequest[name] = fmt.Sprintf("amount=%d best_effort=%t", params.Amount, params.BestEffort)
	}
	var quotaResult model.QuotaResult
	decode(in.QuotaResult, &quotaResult)
	for name, result := range quotaResult.Quotas {
		out.QuotaResult[name] = fmt.Sprintf("granted=%d valid=%s code=%d", result.GrantedAmount, result.ValidDuration, result.Status.Code)
	}

	out.Encoded["checkResult"] = encode(&model.CheckResult{Status: rpc.Status{Code: 7, Message: "closed"}, ValidDuration: 1500 * time.Millisecond, ValidUseCount: 9})
	out.Encoded["quotaResult"] = encode(&model.QuotaResult{Quotas: map[string]model.QuotaResult_Result{"rq.instance.istio-system": {ValidDuration: 2 * time.Second, GrantedAmount: 3}}})
	out.Encoded["quotaRequest"] = encode(&model.QuotaRequest{Quotas: map[string]model.QuotaRequest_QuotaParams{"rq.instance.istio-system": {Amount: 5, BestEffort: true}}})
	at, _ := types.TimestampProto(time.Date(2026, 11, 25, 10, 0, 0, 500000000, time.UTC))
	values := []*policy.Value{
		{Value: &policy.Value_Int64Value{Int64Value: -42}},
		{Value: &policy.Value_DoubleValue{DoubleValue: 2.5}},
		{Value: &policy.Value_DurationValue{DurationValue: &policy.Duration{Value: types.DurationProto(15 * time.Millisecond)}}},
		{Value: &policy.Value_TimestampValue{TimestampValue: &policy.TimeStamp{Value: at}}},
		{Value: &policy.Value_IpAddressValue{IpAddressValue: &policy.IPAddress{Value: net.ParseIP("10.1.2.3").To4()}}},
		{Value: &policy.Value_StringMapValue{StringMapValue: &policy.StringMap{Value: map[string]string{"a": "1", "b": "2"}}}},
		{Value: &policy.Value_UriValue{UriValue: &policy.Uri{Value: "http://x/y"}}},
	}
	for index, value := range values {
		out.Encoded[fmt.Sprintf("value%d", index)] = encode(value)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
