package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMemoryReleasedOnceIdle: the heap goes back to the OS once after each
// burst, only when a whole check has passed with no request begun and none
// running, and never while the emulator stays idle.
func TestMemoryReleasedOnceIdle(t *testing.T) {
	busy := &inflight{idle: make(chan struct{}, 1)}
	releases := 0
	m := &memoryRelease{busy: busy, release: func() { releases++ }, released: true}
	serve := busy.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	request := func() { serve.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil)) }

	m.check()
	m.check()
	assert.Equal(t, 0, releases, "idle since the start: nothing to give back")

	request()
	m.check()
	assert.Equal(t, 0, releases, "a request began since the last check")
	m.check()
	assert.Equal(t, 1, releases, "a whole check without a request")
	m.check()
	m.check()
	assert.Equal(t, 1, releases, "once a burst")

	// A request still running holds the release back, however long it runs.
	unblock, running := make(chan struct{}), make(chan struct{})
	slow := busy.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(running)
		<-unblock
	}))
	done := make(chan struct{})
	go func() {
		slow.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		close(done)
	}()
	<-running
	for range 3 {
		m.check()
	}
	assert.Equal(t, 1, releases, "a request is running")
	close(unblock)
	<-done
	m.check()
	assert.Equal(t, 2, releases, "released once it has ended")

	// Steady traffic: a request before every check, never a release.
	for range 3 {
		request()
		m.check()
	}
	assert.Equal(t, 2, releases)
}
