package okta

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// exchange records the last response of one logical call, which the SDK
// does not always return: after a 429 it hands back only a plain error.
type exchange struct {
	mu     sync.Mutex
	status int
	header http.Header
	url    *url.URL
}

type exchangeKey struct{}

// withExchange makes the transport record the call's responses into ex.
func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

func (ex *exchange) record(req *http.Request, resp *http.Response) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.status, ex.header, ex.url = resp.StatusCode, resp.Header.Clone(), req.URL
}

// result returns the recorded status and headers; status 0 means no
// response arrived.
func (ex *exchange) result() (int, http.Header) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if ex.header == nil {
		return ex.status, http.Header{}
	}
	return ex.status, ex.header
}

// path returns the request path, without the query, for logs and messages.
func (ex *exchange) path() string {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if ex.url == nil {
		return ""
	}
	return ex.url.Path
}

// recordingTransport records each response into the request's exchange and
// checks Link headers before the SDK parses them.
type recordingTransport struct {
	base http.RoundTripper
}

// RoundTrip sends req and records the answer.
func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if errors.Is(err, io.EOF) {
		// The SDK retries io.EOF at once and without limit until the
		// context ends; a connection closed without an answer is reported
		// instead, and Temporal retries it with backoff.
		return nil, &closedError{msg: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if ex, ok := req.Context().Value(exchangeKey{}).(*exchange); ok {
		ex.record(req, resp)
	}
	if err := splitLinks(resp.Header); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// closedError is a connection closed before an answer arrived. It keeps
// the message but, on purpose, does not unwrap to io.EOF.
type closedError struct{ msg string }

func (e *closedError) Error() string { return "connection closed without an answer: " + e.msg }

// errBadLink stops a response whose Link header the SDK cannot parse: it
// would panic on it, and skipping the link would end the listing early.
var errBadLink = errors.New("okta: unreadable Link header")

// linkSplit finds the boundary between links joined into one header value.
var linkSplit = regexp.MustCompile(`>\s*;[^<]*?,\s*<`)

// splitLinks rewrites the Link header to one link per value, the form the
// SDK reads (it splits each value on ";" only), and checks every link's URL
// parses.
func splitLinks(h http.Header) error {
	values := h.Values("Link")
	if len(values) == 0 {
		return nil
	}
	var links []string
	for _, v := range values {
		links = append(links, splitLinkValue(v)...)
	}
	for _, l := range links {
		target, _, ok := strings.Cut(l, ";")
		if !ok {
			continue
		}
		target = strings.TrimRight(strings.TrimLeft(strings.TrimSpace(target), "<"), ">")
		if _, err := url.Parse(target); err != nil {
			return errBadLink
		}
	}
	h["Link"] = links
	return nil
}

// splitLinkValue splits `<a>; rel="self", <b>; rel="next"` into two links.
func splitLinkValue(v string) []string {
	var out []string
	for {
		loc := linkSplit.FindStringIndex(v)
		if loc == nil {
			return append(out, strings.TrimSpace(v))
		}
		comma := strings.LastIndex(v[:loc[1]], ",")
		out = append(out, strings.TrimSpace(v[:comma]))
		v = v[comma+1:]
	}
}

// providerHTTPClient derives the provider's client from the configured one:
// responses are recorded, and redirects are never followed, so neither a
// bearer token nor an assertion can be sent to another host.
func providerHTTPClient(c *http.Client) *http.Client {
	if c == nil {
		c = defaultHTTPClient()
	}
	wrapped := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped.Transport = recordingTransport{base: base}
	wrapped.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &wrapped
}

// defaultHTTPClient bounds every phase of a request; a page of 200 users
// takes Okta well under a second, so a minute is generous.
func defaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: tr, Timeout: time.Minute}
}
