package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/mailroom/oktasync/directory"
)

// listing describes one paged endpoint.
type listing struct {
	// op names the call in errors, such as "list users".
	op   string
	path string
	// max is the largest limit the endpoint accepts; def is used for a
	// limit of zero or less.
	max, def int
	filter   string
	expand   string
	nf       notFound
}

// params returns the first page's query parameters.
func (l listing) params(limit int) *query.Params {
	if limit <= 0 {
		limit = l.def
	}
	opts := []query.ParamOptions{query.WithLimit(int64(min(limit, l.max)))}
	if l.filter != "" {
		opts = append(opts, query.WithFilter(l.filter))
	}
	if l.expand != "" {
		opts = append(opts, query.WithExpand(l.expand))
	}
	return query.NewQueryParams(opts...)
}

// checkCursor makes sure a cursor is a path and query of this very listing,
// with the same filter. The SDK prefixes it with the org URL, so it can
// never name another host; this keeps it on the right endpoint too.
func (l listing) checkCursor(cursor string) error {
	u, err := url.Parse(cursor)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		u.Path != l.path || u.Query().Get("filter") != l.filter {
		return fmt.Errorf("okta: %s: the cursor does not belong to this listing", l.op)
	}
	return nil
}

// page fetches one page of a listing: the first with first, a later one by
// following cursor. S is the SDK's item type and T the directory's.
func page[S, T any](ctx context.Context, s *session, l listing, cursor string,
	first func(context.Context, *sdk.Client) ([]S, *sdk.Response, error),
	convert func(S) T) (directory.Page[T], error) {
	if cursor != "" {
		if err := l.checkCursor(cursor); err != nil {
			return directory.Page[T]{}, err
		}
	}

	var items []S
	resp, err := s.call(ctx, l.nf, func(ctx context.Context, c *sdk.Client) (*sdk.Response,
		error) {
		var resp *sdk.Response
		var err error
		if cursor == "" {
			items, resp, err = first(ctx, c)
		} else {
			items, resp, err = follow[S](ctx, c, cursor)
		}
		return resp, err
	})
	if err != nil {
		return directory.Page[T]{}, fmt.Errorf("okta: %s: %w", l.op, err)
	}

	next, err := l.nextCursor(resp, cursor)
	if err != nil {
		return directory.Page[T]{}, err
	}
	return directory.Page[T]{Items: convertAll(items, convert), Next: next}, nil
}

// follow fetches a later page. Each page decodes into a fresh slice:
// reusing one across pages mixes items of different pages.
func follow[S any](ctx context.Context, c *sdk.Client, cursor string) ([]S, *sdk.Response,
	error) {
	re := c.CloneRequestExecutor()
	req, err := re.WithAccept("application/json").NewRequest(http.MethodGet, cursor, nil)
	if err != nil {
		return nil, nil, err
	}
	var items []S
	resp, err := re.Do(ctx, req, &items)
	if err != nil {
		return nil, resp, err
	}
	return items, resp, nil
}

// nextCursor returns the next page's cursor: the path and query the SDK
// took from the Link header's rel="next", without the host. A cursor that
// repeats the page just fetched would loop forever.
func (l listing) nextCursor(resp *sdk.Response, cursor string) (string, error) {
	next := resp.NextPage
	if next == "" {
		return "", nil
	}
	fetched := cursor
	if fetched == "" && resp.Request != nil {
		fetched = resp.Request.URL.RequestURI()
	}
	if sameCursor(next, fetched) {
		return "", fmt.Errorf("okta: %s: %w", l.op, newError(directory.CodeRepeatedCursor,
			"okta sent the same page link twice, so the listing would never end",
			"Nothing to change: the next sync starts the listing again. If this keeps "+
				"happening, contact support."))
	}
	if err := l.checkCursor(next); err != nil {
		return "", fmt.Errorf("okta: %s: the next page link leaves the listing", l.op)
	}
	return next, nil
}

// sameCursor compares two cursors by path and decoded query, since the SDK
// re-encodes the query it merges into the next link.
func sameCursor(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ua.Path == ub.Path && ua.Query().Encode() == ub.Query().Encode()
}

func convertAll[S, T any](items []S, convert func(S) T) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		out = append(out, convert(it))
	}
	return out
}

// Page sizes per endpoint; see the limits in
// https://developer.okta.com/docs/api/openapi/okta-management/management/.
// Groups accept up to 10000 per page; Okta recommends 200, which keeps each
// answer small and quick.
const (
	usersMax        = 200
	groupsMax       = 200
	groupMembersMax = 1000
	appUsersMax     = 500
	defaultPage     = 200
)
