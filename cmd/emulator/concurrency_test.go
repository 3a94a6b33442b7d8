package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fixture credentials and ids (see fixtures/ and the README).
const (
	partnerKey   = "X-API-Key: examplePA-api-key"
	gaSysAdmin   = "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0" // 1:ga-system-admin-secret
	lmDefault    = "Authorization: lm-acme-default"
	courierAdmin = "Authorization: Bearer courier-admin-token"
	lmAcmeLabs   = "2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03"
	crChannel    = "50000000-0000-4000-8000-000000000001" // org1 care-team channel
	crAlice      = "30000000-0000-4000-8000-000000000001" // a participant of it
)

// eachStore runs test, in parallel, against an emulator on each of the two
// stores every concurrency test covers: in memory and on a file.
func eachStore(t *testing.T, test func(t *testing.T, base string)) {
	for mode, args := range map[string][]string{
		"memory": nil,
		"file":   {"-db", filepath.Join(t.TempDir(), "state.db")},
	} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			base, _ := start(t, args...)
			test(t, base)
		})
	}
}

// answer is one request's outcome.
type answer struct {
	status int
	body   string
}

// send makes one request with a client that gives up after 10 s: far above
// any answer here, and far below the stall the tests guard against.
func send(t *testing.T, method, url, body string, headers ...string) answer {
	t.Helper()
	return sendWithin(t, 10*time.Second, method, url, body, headers...)
}

// sendWithin is send with a client that gives up after d.
func sendWithin(t *testing.T, d time.Duration, method, url, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: d}
	res, err := client.Do(req)
	if err != nil {
		return answer{status: -1, body: err.Error()}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b)}
}

// stall opens a connection that sends a request's headers, announces a body
// of 100 bytes and then sends nothing, as a stuck client would.
func stall(t *testing.T, base, method, path string, headers ...string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	head := method + " " + path + " HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
	for _, h := range headers {
		head += h + "\r\n"
	}
	_, err = conn.Write([]byte(head + "\r\n{"))
	require.NoError(t, err)
}

// TestStalledBodiesStallNobody: clients that send a write's headers and then
// stall their body, on every vendor and the control plane, hold only their
// own connections: reads and writes of every vendor, the control plane and
// the health check still answer.
func TestStalledBodiesStallNobody(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, base string) {
		stall(t, base, "POST", "/courier/v1/messaging-messages/", courierAdmin)
		stall(t, base, "PATCH", "/360dialog/api/v2/partners/examplePA", partnerKey)
		stall(t, base, "PUT", "/greenarrow/ga/api/v2/organizations/1", gaSysAdmin)
		stall(t, base, "PATCH", "/loopmessage/api/v1/organizations/details/"+lmAcmeLabs+"/", lmDefault)
		stall(t, base, "POST", "/_emulator/clock")
		everyoneAnswers(t, base)
	})
}

// everyoneAnswers checks that reads and writes of every vendor, the control
// plane and the health check answer (each within send's 10 s).
func everyoneAnswers(t *testing.T, base string) {
	t.Helper()
	checks := []struct {
		method, path, body, header string
		want                       int
	}{
		{"GET", "/_emulator/health", "", "", 200},
		{"GET", "/_emulator/clock", "", "", 200},
		{"GET", "/360dialog/api/v2/partners/examplePA", "", partnerKey, 200},
		{"PATCH", "/360dialog/api/v2/partners/examplePA", `{"webhook_url": "https://moving.example.com"}`, partnerKey, 200},
		{"GET", "/greenarrow/ga/api/v2/organizations", "", gaSysAdmin, 200},
		{"PUT", "/greenarrow/ga/api/v2/organizations/1", `{"organization": {"name": "System Org"}}`, gaSysAdmin, 200},
		{"GET", "/loopmessage/api/v1/organizations/list/", "", lmDefault, 200},
		{"PATCH", "/loopmessage/api/v1/organizations/details/" + lmAcmeLabs + "/", `{"name": "Acme Lab"}`, lmDefault, 200},
		{"GET", "/courier/v1/messaging-channels/" + crChannel + "/", "", courierAdmin, 200},
		{"POST", "/courier/v1/messaging-messages/", messageDoc("while another client stalls"), courierAdmin, 201},
	}
	for _, c := range checks {
		var headers []string
		if c.header != "" {
			headers = append(headers, c.header)
		}
		got := send(t, c.method, base+c.path, c.body, headers...)
		assert.Equal(t, c.want, got.status, "%s %s: %s", c.method, c.path, short(got.body))
	}
}

// slowReader opens a connection with a 4 KB receive buffer, asks for path
// and reads nothing of the answer, as a stuck client would: an answer larger
// than the sockets' buffers leaves its handler blocked in its write. The
// connection is returned to be read later.
func slowReader(t *testing.T, base, path string, headers ...string) *net.TCPConn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) }); cerr != nil {
			return cerr
		}
		return err
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	head := "GET " + path + " HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n"
	for _, h := range headers {
		head += h + "\r\n"
	}
	_, err = conn.Write([]byte(head + "\r\n"))
	require.NoError(t, err)
	return conn.(*net.TCPConn)
}

// TestSlowReadersStallNobody: clients that ask for large answers and do not
// read them, more of them than the store has read connections, hold only
// their own connections: every handler writes its answer after its
// transaction ends (internal/store/doc.go, rule 1).
func TestSlowReadersStallNobody(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, base string) {
		// A page of messages larger than a socket's largest send buffer
		// (Linux's tcp_wmem: 4 MB unless set), so that its handler
		// blocks in its write: 10 messages of a tenth and a half of it.
		limit := 4 << 20
		if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem"); err == nil {
			if f := strings.Fields(string(b)); len(f) == 3 {
				if n, err := strconv.Atoi(f[2]); err == nil {
					limit = n
				}
			}
		}
		long := strings.Repeat("x", limit*3/20)
		// Setting up, not what is tested: ten posts of 600 KB queue at the
		// writer, 4 to 6 s in all under -race alone (measured), more beside
		// the whole suite, so each may take longer than send allows.
		var posts sync.WaitGroup
		for i := range 10 {
			posts.Go(func() {
				got := sendWithin(t, 2*time.Minute, "POST", base+"/courier/v1/messaging-messages/", messageDoc(fmt.Sprint(i, long)), courierAdmin)
				assert.Equal(t, 201, got.status, short(got.body))
			})
		}
		posts.Wait()
		page := "/courier/v1/messaging-messages/?channel-id=" + crChannel + "&page[limit]=10"
		var conns []*net.TCPConn
		for range 5 { // more than the store's read connections on 2 cores (store.readers)
			conns = append(conns, slowReader(t, base, page, courierAdmin))
		}
		conns = append(conns, slowReader(t, base, "/_emulator/state"))
		// Every handler has begun to write its answer: its first bytes came.
		readers := make([]*bufio.Reader, len(conns))
		for i, c := range conns {
			require.NoError(t, c.SetReadDeadline(time.Now().Add(time.Minute)))
			readers[i] = bufio.NewReader(c)
			_, err := readers[i].Peek(1)
			require.NoError(t, err)
		}
		everyoneAnswers(t, base)
		for i, c := range conns {
			require.NoError(t, c.SetReadBuffer(4<<20)) // now read it quickly
			res, err := http.ReadResponse(readers[i], nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.StatusCode)
			n, err := io.Copy(io.Discard, res.Body)
			require.NoError(t, err)
			assert.Greater(t, n, int64(limit), "an answer larger than the socket's buffers")
			res.Body.Close()
		}
	})
}

// TestIdleConnectionsStallNobody: keep-alive connections that asked once
// and stay open, idle, hold nothing of the store: everyone still answers.
func TestIdleConnectionsStallNobody(t *testing.T) {
	t.Parallel()
	base, _ := start(t)
	for range 200 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		_, err = conn.Write([]byte("GET /courier/v1/messaging-channels/" + crChannel + "/ HTTP/1.1\r\nHost: emulator\r\n" + courierAdmin + "\r\n\r\n"))
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	everyoneAnswers(t, base)
}

func messageDoc(text string) string {
	return fmt.Sprintf(`{"data": {"type": "messaging-messages", "attributes": {"channel-id": %q, "individual-id": %q, "message": %q}}}`,
		crChannel, crAlice, text)
}

// TestConcurrentReadersAndWriters runs readers and writers of every vendor at
// once, on both stores, and checks that the final state is exactly what the
// 2xx answers imply: every created resource is there once, and the last
// value of a field is one that some writer set.
func TestConcurrentReadersAndWriters(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, base string) {
		const workers, each = 6, 8
		var mu sync.Mutex
		created := map[string]int{} // vendor → resources created (2xx)
		sent := map[string]map[string]bool{"partner": {}, "loop": {}}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					tag := fmt.Sprintf("w%d-%d", w, i)
					var fails []string
					ok := func(a answer, want int, what string) bool {
						if a.status != want {
							fails = append(fails, fmt.Sprintf("%s: %d %s", what, a.status, short(a.body)))
							return false
						}
						return true
					}
					url := "https://" + tag + ".example.com"
					pa := ok(send(t, "PATCH", base+"/360dialog/api/v2/partners/examplePA", `{"webhook_url": "`+url+`"}`, partnerKey), 200, "partner patch")
					lo := ok(send(t, "PATCH", base+"/loopmessage/api/v1/organizations/details/"+lmAcmeLabs+"/", `{"name": "Labs `+tag+`"}`, lmDefault), 200, "loop patch")
					ga := ok(send(t, "POST", base+"/greenarrow/ga/api/v2/organizations", `{"organization": {"name": "Org `+tag+`"}}`, gaSysAdmin), 200, "greenarrow create")
					cr := ok(send(t, "POST", base+"/courier/v1/messaging-messages/", messageDoc("concurrent "+tag), courierAdmin), 201, "courier create")
					ok(send(t, "GET", base+"/360dialog/api/v2/partners/examplePA", "", partnerKey), 200, "partner get")
					ok(send(t, "GET", base+"/loopmessage/api/v1/organizations/details/"+lmAcmeLabs+"/", "", lmDefault), 200, "loop get")
					ok(send(t, "GET", base+"/greenarrow/ga/api/v2/organizations", "", gaSysAdmin), 200, "greenarrow list")
					ok(send(t, "GET", base+"/courier/v1/messaging-messages/?channel-id="+crChannel, "", courierAdmin), 200, "courier list")
					mu.Lock()
					if pa {
						sent["partner"][url] = true
					}
					if lo {
						sent["loop"]["Labs "+tag] = true
					}
					if ga {
						created["greenarrow"]++
					}
					if cr {
						created["courier"]++
					}
					mu.Unlock()
					for _, f := range fails {
						t.Error(f)
					}
				}
			})
		}
		wg.Wait()
		require.Equal(t, workers*each, created["greenarrow"])
		require.Equal(t, workers*each, created["courier"])

		var partner struct {
			WebhookURL string `json:"webhook_url"`
		}
		decode(t, send(t, "GET", base+"/360dialog/api/v2/partners/examplePA", "", partnerKey), &partner)
		assert.True(t, sent["partner"][partner.WebhookURL], "the partner's webhook_url %q is one a writer set", partner.WebhookURL)

		var org struct {
			Name string `json:"name"`
		}
		decode(t, send(t, "GET", base+"/loopmessage/api/v1/organizations/details/"+lmAcmeLabs+"/", "", lmDefault), &org)
		assert.True(t, sent["loop"][org.Name], "the organization's name %q is one a writer set", org.Name)

		var gaList struct {
			Data []struct {
				Name string `json:"name"`
			} `json:"data"`
		}
		decode(t, send(t, "GET", base+"/greenarrow/ga/api/v2/organizations?per_page=100", "", gaSysAdmin), &gaList)
		n := 0
		for _, o := range gaList.Data {
			if strings.HasPrefix(o.Name, "Org w") {
				n++
			}
		}
		assert.Equal(t, workers*each, n, "every created GreenArrow organization is listed once")

		var msgs struct {
			Meta map[string]int `json:"meta"`
		}
		decode(t, send(t, "GET", base+"/courier/v1/messaging-messages/?channel-id="+crChannel+"&filter[text]=concurrent&page[limit]=1", "", courierAdmin), &msgs)
		assert.Equal(t, workers*each, msgs.Meta["page[total]"], "every posted message is listed once")
	})
}

func decode(t *testing.T, a answer, v any) {
	t.Helper()
	require.Equal(t, 200, a.status, short(a.body))
	require.NoError(t, json.Unmarshal([]byte(a.body), v), short(a.body))
}

// short keeps failure messages readable.
func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestReadTimeoutEndsAStalledBody: -read-timeout closes a connection whose
// body never comes (the client waits for the server, the server does not
// wait for the client).
func TestReadTimeoutEndsAStalledBody(t *testing.T) {
	t.Parallel()
	base, _ := start(t, "-read-timeout", "300ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("POST /courier/v1/messaging-messages/ HTTP/1.1\r\nHost: emulator\r\n" + courierAdmin +
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second))) // far above the timeout
	answer, err := io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection before the client gave up")
	assert.NotContains(t, string(answer), "201 Created", "nothing was posted")
}
