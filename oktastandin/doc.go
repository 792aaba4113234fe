// Package oktastandin is a stand-in for an Okta Workforce org: a real
// HTTP(S) server speaking Okta's wire format, for tests, the demo and the
// benchmarks. Product code never imports it.
//
// It serves the org authorization server's token endpoint and the
// management API calls a directory sync makes:
//
//	POST /oauth2/v1/token            client_credentials with a private_key_jwt assertion
//	GET  /api/v1/users               okta.users.read, limit 200 (max 200)
//	GET  /api/v1/users/{id}          okta.users.read (id or login)
//	GET  /api/v1/groups              okta.groups.read, limit 200 (max 10000)
//	GET  /api/v1/groups/{id}         okta.groups.read
//	GET  /api/v1/groups/{id}/users   okta.groups.read, limit 1000 (max 1000)
//	GET  /api/v1/apps/{id}           okta.apps.read
//	GET  /api/v1/apps/{id}/users     okta.apps.read, limit 50 (max 500), expand=user
//
// Listings are ordered by id and page with after=<last id>, announcing
// pages in Link headers (rel="self", and rel="next" while more remain)
// whose URLs keep every query parameter. The user listing takes filter
// (status, lastUpdated, id, type.id and profile login, email, firstName
// and lastName, joined with and/or and parentheses), search (any
// attribute; also ne, sw and pr) and q (a name or login prefix); without
// filter or search it omits DEPROVISIONED users. Group listings take the
// same filter forms over type, lastUpdated and lastMembershipUpdated, and q
// as a name prefix. An unparsable filter answers 400 E0000031.
//
// Requests are authorized the way Okta does it: an unknown or expired
// token gets 401 E0000011; a token without the endpoint's scope gets 403
// with an empty body and a WWW-Authenticate header naming the scope; a
// service app without an admin role gets 403 E0000006. Grants and the
// admin role are read at request time, so tests may revoke them while
// tokens live; a token keeps the scopes it was minted with.
//
// Every response carries X-Rate-Limit-Limit, -Remaining and -Reset for its
// bucket (see Bucket); with enforcement on, an exhausted bucket answers
// 429 E0000047. Faults (see Fault) inject errors, delays, dropped
// connections, malformed bodies and repeated cursors. Every request is
// logged for assertions (see Server.Requests).
//
// The token endpoint checks client assertions as Okta does: iss names a
// registered ServiceApp and equals sub, the header's kid names one of its
// keys, the signature verifies with an RS or ES algorithm, aud is exactly
// https://{host}/oauth2/v1/token, exp is in the future but less than an
// hour (minus 30 s of skew) ahead, and the jti is new. It then applies the
// app's DPoP setting and granted scopes. DPoP proofs are not verified: an
// app that requires DPoP rejects every token request, as it does for a
// client without DPoP support.
//
// The stand-in keeps the app assignments of deactivated users and reports
// them with status DEPROVISIONED, so consumers must handle them.
//
// # Use in tests
//
//	ts := oktastandin.NewTestServer(t, oktastandin.Options{})
//	fixture := oktastandin.Generate(oktastandin.GenOptions{Seed: 1, Users: 450, Groups: 5})
//	if err := ts.Load(fixture); err != nil {
//		t.Fatal(err)
//	}
//	clientID, privateKey := ts.NewServiceApp(t) // read scopes and an admin role
//	// Point the client under test at ts.Domain (or ts.URL) with ts.Client(),
//	// clientID, the private JWK and fixture.SAMLAppID(); change the org with
//	// ts.SetStatus, ts.AddMember, ts.AddFault...; assert on ts.Requests().
//
// # Admin API
//
// A separate process (the demo, a tester with curl) can drive the stand-in
// under /__standin/, which is not part of Okta's API and needs no token.
// Bodies are JSON; errors answer {"error": "..."} with 400 or 404.
//
//	GET    /__standin/                              counts of users, groups, apps and faults
//	GET    /__standin/requests?method=&path_prefix= {"count": n, "requests": [Request...]}
//	DELETE /__standin/requests                      empty the request log
//	GET    /__standin/faults                        registered faults with counters
//	POST   /__standin/faults                        add a Fault; "delay" is a Go duration
//	                                                such as "3s"; answers {"id": "f1"}
//	DELETE /__standin/faults                        remove every fault
//	DELETE /__standin/faults/{id}                   remove one fault
//	GET    /__standin/rate-limits                   {"enforce": bool}
//	PUT    /__standin/rate-limits                   {"enforce": bool, "reset": bool}
//	PUT    /__standin/latency                       {"latency": "250ms"}
//	PUT    /__standin/users/{id}                    insert or replace a user (Okta's User JSON)
//	PATCH  /__standin/users/{id}                    {"status": "SUSPENDED",
//	                                                 "profile": {"email": null}, "unset": ["email"]}
//	DELETE /__standin/users/{id}                    delete a user
//	PUT    /__standin/groups/{id}/members/{userId}  add a member
//	DELETE /__standin/groups/{id}/members/{userId}  remove a member
//	PUT    /__standin/apps/{id}/users/{userId}      assign an app to a user
//	DELETE /__standin/apps/{id}/users/{userId}      remove the assignment
//	PUT    /__standin/apps/{id}/groups/{groupId}    assign an app to a group
//	DELETE /__standin/apps/{id}/groups/{groupId}    remove the assignment
//	PATCH  /__standin/service-apps/{clientId}       {"grantedScopes": [...],
//	                                                 "adminRole": bool, "dpopRequired": bool}
//
// For example, to make the next two user pages fail with 503:
//
//	curl --cacert standin.pem -X POST https://127.0.0.1:8443/__standin/faults \
//	  -d '{"pathPrefix": "/api/v1/users", "kind": "status", "status": 503, "times": 2}'
package oktastandin
