package courier

// What the external tests compare with counting rows.
const (
	NewMessagesSQL        = newMessagesSQL
	AcknowledgedCountsSQL = acknowledgedCountsSQL
)
