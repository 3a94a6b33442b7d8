package emutest

import (
	"bytes"
	"strings"
	"sync"
)

// LogBuffer is a log sink that the server's goroutines and a test share.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Lines is what was logged, one line each ([""] when nothing was).
func (l *LogBuffer) Lines() []string { return strings.Split(strings.TrimSpace(l.String()), "\n") }
