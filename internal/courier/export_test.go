package courier

// What the external tests compare with counting rows.
const (
	NewMessagesSQL        = newMessagesSQL
	AcknowledgedCountsSQL = acknowledgedCountsSQL
)

// NotificationDaysSQL is notificationDaysSQL, returned as plain strings.
func NotificationDaysSQL(user, lo, hi string, limit, offset int64) (page string, pageArgs []any, total string, totalArgs []any) {
	p, t := notificationDaysSQL(user, lo, hi, limit, offset)
	return p.SQL, p.Args, t.SQL, t.Args
}
