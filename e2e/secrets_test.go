package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
	"github.com/mailroom/oktasync/secrets"
)

func TestSecretsStayOutOfHistoryLogsAndResponses(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 120}})
	first := h.enable(models.Preferences{SSOUsersView: true, DeactivateMissing: true})
	second := h.syncNow(false)
	if first.Status != models.RunSucceeded || second.Status != models.RunSucceeded {
		t.Fatalf("runs: %s, %s", first.Status, second.Status)
	}

	secretValues := h.secretValues()
	history := h.decodedHistory(first, second)
	status := h.rawGet("/directory")
	for name, value := range secretValues {
		for where, text := range map[string]string{"workflow history": history,
			"service log": h.logs.String(), "status response": status} {
			if strings.Contains(text, value) {
				t.Errorf("%s appears in the %s", name, where)
			}
		}
	}
	// The scan must have read real, decoded history.
	for _, want := range []string{first.ID, contract.SyncPageActivity, h.api.OrgID} {
		if !strings.Contains(history, want) {
			t.Fatalf("decoded history lacks %q: the scan read nothing useful", want)
		}
	}
	h.assertKeySealed(secretValues["private exponent d"])
	h.assertCodecDecodes(first.WorkflowID)
}

// assertCodecDecodes checks that the codec endpoint, which the Temporal UI
// calls, turns a sealed payload from history into plain JSON.
func (h *harness) assertCodecDecodes(workflowID string) {
	h.t.Helper()
	iter := h.temporal.GetWorkflowHistory(h.ctx, workflowID, "", false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := iter.Next()
	if err != nil {
		h.t.Fatal(err)
	}
	input := ev.GetWorkflowExecutionStartedEventAttributes().GetInput()
	body, _ := protojson.Marshal(input)
	if strings.Contains(string(body), h.api.OrgID) {
		h.t.Fatal("the workflow input is stored in the clear")
	}
	req, _ := http.NewRequestWithContext(h.ctx, http.MethodPost, h.codecURL+"/decode",
		strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	decoded := &commonpb.Payloads{}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || protojson.Unmarshal(raw, decoded) != nil {
		h.t.Fatalf("codec decode = %d %s", resp.StatusCode, raw)
	}
	if len(decoded.Payloads) == 0 ||
		!strings.Contains(string(decoded.Payloads[0].GetData()), h.api.OrgID) {
		h.t.Errorf("decoded input %q lacks the organization id", raw)
	}
}

// secretValues returns the strings that must never leak: the private key's
// members, the pasted key itself, and every access token the stand-in
// issued to the worker.
func (h *harness) secretValues() map[string]string {
	var m map[string]any
	if err := json.Unmarshal(h.jwk, &m); err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{"pasted key": string(h.jwk),
		"private exponent d": m["d"].(string), "prime p": m["p"].(string),
		"prime q": m["q"].(string), "exponent dp": m["dp"].(string)}
	tokens := h.okta.AccessTokens()
	if len(tokens) == 0 {
		h.t.Fatal("the stand-in issued no access token")
	}
	for i, tok := range tokens {
		out["access token "+string(rune('A'+i))] = tok
	}
	return out
}

// decodedHistory returns the full history of the integration workflow and
// of the runs' workflows, with every payload decrypted by the codec.
func (h *harness) decodedHistory(runs ...models.SyncRun) string {
	h.t.Helper()
	codec, err := secrets.NewPayloadCodec(h.cfg.MasterKey())
	if err != nil {
		h.t.Fatal(err)
	}
	ids := []string{contract.IntegrationWorkflowID(h.api.OrgID)}
	for _, r := range runs {
		ids = append(ids, r.WorkflowID)
	}
	var sb strings.Builder
	for _, id := range ids {
		iter := h.temporal.GetWorkflowHistory(h.ctx, id, "", false,
			enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				h.t.Fatalf("history of %s: %v", id, err)
			}
			err = proxy.VisitPayloads(h.ctx, ev, proxy.VisitPayloadsOptions{
				Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) (
					[]*commonpb.Payload, error) {
					return codec.Decode(p)
				},
			})
			if err != nil {
				h.t.Fatalf("decode history: %v", err)
			}
			raw, _ := protojson.Marshal(ev)
			sb.Write(raw)
			// Payload data is base64 in protojson; add the decoded bytes too.
			_ = proxy.VisitPayloads(h.ctx, ev, proxy.VisitPayloadsOptions{
				Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) (
					[]*commonpb.Payload, error) {
					for _, one := range p {
						sb.Write(one.GetData())
					}
					return p, nil
				},
			})
		}
	}
	return sb.String()
}

// rawGet returns an API response body as text.
func (h *harness) rawGet(path string) string {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.ctx, http.MethodGet,
		h.apiURL+"/api/v1/orgs/"+h.api.OrgID+path, nil)
	req.Header.Set("Authorization", "Bearer "+h.api.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// assertKeySealed checks the database holds ciphertext, not the key.
func (h *harness) assertKeySealed(d string) {
	h.t.Helper()
	integ, err := h.store.Integration(h.ctx, h.api.OrgID)
	if err != nil {
		h.t.Fatal(err)
	}
	ct := integ.PrivateJWKCiphertext
	if len(ct) < 100 || strings.Contains(string(ct), d) || strings.Contains(string(ct), "kty") {
		h.t.Fatalf("the key column does not look sealed (%d bytes)", len(ct))
	}
	if json.Valid(ct) {
		h.t.Fatal("the key column holds JSON")
	}
}
