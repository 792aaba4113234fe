package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/contract"
)

// TemporalCLIVersion is the Temporal CLI the tools module pins.
const TemporalCLIVersion = "v1.5.1"

// TemporalBinary returns the path of the Temporal CLI: $TEMPORAL_CLI, or the
// copy `make temporal` caches under the user's cache directory.
func TemporalBinary() string {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "oktasync", "temporal-"+TemporalCLIVersion)
}

// DevServer is a Temporal dev server started for a test binary.
type DevServer struct {
	Address string
	UIPort  int
	cmd     *exec.Cmd
}

// StartTemporal starts `temporal server start-dev` on free loopback ports
// with this project's search attributes, in memory, and waits until it
// answers. If TEST_TEMPORAL_ADDRESS is set, it uses that server instead.
func StartTemporal() (*DevServer, error) {
	if addr := os.Getenv("TEST_TEMPORAL_ADDRESS"); addr != "" {
		return &DevServer{Address: addr}, waitHealthy(addr, 30*time.Second)
	}
	bin := TemporalBinary()
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("testenv: no Temporal CLI at %s: run `make temporal` "+
			"(it builds the pinned CLI from tools/ once and caches it)", bin)
	}

	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, DevServerArgs(ports[0], ports[1], ports[2], ports[3])...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// Own process group, so stopping it also stops anything it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testenv: start temporal: %w", err)
	}
	s := &DevServer{Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		UIPort: ports[1], cmd: cmd}
	if err := waitHealthy(s.Address, 90*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// DevServerArgs are the arguments of `temporal server start-dev` for this
// project: loopback only, headless unless a UI port is wanted, with the
// search attributes the workflows set.
func DevServerArgs(port, uiPort, httpPort, metricsPort int) []string {
	return []string{
		"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--ui-port", strconv.Itoa(uiPort),
		"--http-port", strconv.Itoa(httpPort),
		"--metrics-port", strconv.Itoa(metricsPort),
		"--headless",
		"--log-level", "error",
		"--search-attribute", contract.SearchAttrOrgID + "=Keyword",
		"--search-attribute", contract.SearchAttrState + "=Keyword",
	}
}

// Stop kills the dev server, if this process started it.
func (s *DevServer) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

func waitHealthy(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := client.DialContext(ctx, client.Options{HostPort: addr,
			Logger: quietLogger{}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		last = err
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("testenv: temporal at %s not healthy after %s: %w", addr, within, last)
}

// freePorts returns n distinct free TCP ports on the loopback interface.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("testenv: find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	if len(ports) != n {
		return nil, errors.New("testenv: not enough free ports")
	}
	return ports, nil
}

// quietLogger drops the SDK's connection chatter while polling.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
