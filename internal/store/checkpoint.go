package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// A file's WAL is copied back into the database by a checkpoint, which ends
// with an fsync (11 to 73 ms seen on the CI disk). SQLite runs it in the
// connection that commits the transaction taking the WAL past 1,000 pages:
// the writer, so every writer queued behind that commit waited for the disk
// (GreenArrow's PUT on a file: p99 280 to 820 ms at 32 connections). The
// writer therefore does not checkpoint on its own; a connection of its own
// does, in the background, without waiting for readers or the writer
// (PASSIVE), and that copy and its fsync are no one's turn.
//
// A WAL starts again from its beginning only when a transaction begins after
// a checkpoint copied all of it, which a background checkpoint never does
// while writes keep coming (measured: 170 MB of WAL after 8 s of PUTs). So
// once the WAL is past walRestartFrames, the checkpointer copies the few
// frames left in the writer's turn, and the next write starts the WAL again.

const (
	// checkpointEvery is how often the checkpointer looks at the WAL; an idle
	// WAL costs one cheap statement.
	checkpointEvery = 100 * time.Millisecond
	// walRestartFrames bounds the WAL at about 16 MB (4 KiB pages).
	walRestartFrames = 4096
)

// checkpointer checkpoints a file's WAL from its own connection.
type checkpointer struct {
	conn    *sql.DB
	writer  *sql.DB // the store's writer, for the checkpoint that lets the WAL start again
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
}

// startCheckpointer takes checkpoints off db's writer: the writer stops
// checkpointing, and a goroutine does it every checkpointEvery until stopped.
func (db *DB) startCheckpointer() error {
	conn, err := sql.Open("sqlite", "file:"+db.path+"?"+commonPragmas)
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if _, err := db.write.Exec("PRAGMA wal_autocheckpoint = 0"); err != nil {
		conn.Close()
		return err
	}
	c := &checkpointer{conn: conn, writer: db.write, stop: make(chan struct{}), done: make(chan struct{})}
	db.checkpoints = c
	go c.run()
	return nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			// An error (the disk, say) is the next look's to retry; until
			// then the WAL only grows.
			_ = c.checkpoint(context.Background())
		}
	}
}

// checkpoint copies what it can of the WAL into the database, and finishes
// in the writer's turn when the WAL has grown past walRestartFrames.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, frames, copied int
	if err := c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	if frames < walRestartFrames {
		return nil
	}
	return c.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
}

// close stops the goroutine and closes the connection; closing again does
// nothing, as with the store's other connections.
func (c *checkpointer) close() error {
	c.stopped.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
