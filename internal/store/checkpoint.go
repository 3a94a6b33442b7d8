package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// A file's WAL is copied back into the database by a checkpoint, which ends
// with an fsync (11 to 73 ms seen on the CI disk). SQLite runs it in the
// connection that commits the transaction taking the WAL past 1,000 pages:
// the writer, so every writer queued behind that commit waited for the disk
// (GreenArrow's PUT on a file: p99 280 to 820 ms at 32 connections). The
// writer therefore does not checkpoint on its own; a connection of its own
// does, in the background, without waiting for readers or the writer
// (PASSIVE), and that copy and its fsync are no one's turn. It runs after
// the writer commits, at most every checkpointEvery: an idle store (a
// thousand idle worlds on files, say) costs nothing.
//
// A WAL starts again from its beginning only when a transaction begins after
// a checkpoint copied all of it, which a background checkpoint never does
// while writes keep coming (measured: 170 MB of WAL after 8 s of PUTs). So
// once the WAL is past walRestartFrames, the checkpointer copies the few
// frames left in the writer's turn, and the next write starts the WAL again.

const (
	// checkpointEvery is the least time between two checkpoints.
	checkpointEvery = 100 * time.Millisecond
	// walRestartFrames (about 16 MB of 4 KiB pages) is how far the WAL grows
	// before it starts again, plus what comes in while a round runs
	// (measured: 19 MB under GreenArrow PUTs at 9,000 a second).
	walRestartFrames = 4096
)

// checkpointer checkpoints a file's WAL from its own connection.
type checkpointer struct {
	written <-chan struct{} // the writer has committed
	conn    *sql.DB
	writer  *sql.DB // the store's writer, for the checkpoint that lets the WAL start again
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
	rounds  atomic.Int64 // checkpoints run, for tests
	// lastFrames is the WAL's size at the last round (run's goroutine only).
	lastFrames int
}

// startCheckpointer takes checkpoints off db's writer: the writer stops
// checkpointing, and a goroutine does it after commits until stopped.
func (db *DB) startCheckpointer() error {
	conn, err := sql.Open("sqlite", "file:"+db.path+"?"+commonPragmas)
	if err != nil {
		return err
	}
	oneConnection(conn)
	if _, err := db.write.Exec("PRAGMA wal_autocheckpoint = 0"); err != nil {
		conn.Close()
		return err
	}
	c := &checkpointer{written: db.written, conn: conn, writer: db.write, stop: make(chan struct{}), done: make(chan struct{})}
	db.checkpoints = c
	go c.run()
	return nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.written:
		}
		// An error (the disk, say) is the next round's to retry, after the
		// next commit; until then the WAL only grows.
		_ = c.checkpoint(context.Background())
		c.rounds.Add(1)
		pause := time.NewTimer(checkpointEvery)
		select {
		case <-c.stop:
			pause.Stop()
			return
		case <-pause.C:
		}
	}
}

// checkpoint copies what it can of the WAL into the database, and finishes
// in the writer's turn when the WAL has grown past walRestartFrames and
// writes came in meanwhile.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, frames, copied int
	if err := c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	// A WAL copied to its end that has not grown since the last round had
	// no write since: the next write starts it again anyway, and the
	// writer's turn would count as a commit and wake this again.
	idle := copied == frames && frames == c.lastFrames
	c.lastFrames = frames
	if frames < walRestartFrames || idle {
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
