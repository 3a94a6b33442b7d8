package courier

// Part-2 extension of the engine (kept apart from the part-1 files).

// freeFormBody reports whether a plain-body operation takes members the
// catalog cannot list: the vendor documents these bodies with "additional
// properties: any" (Twilio's status and TwiML webhooks, the Alexa Skills Kit
// request). Their handlers validate what they read themselves.
func freeFormBody(op *Operation) bool {
	switch op.ID {
	case "texts.callback", "voice-ivrs.twiml", "ask-entries.create":
		return true
	}
	return false
}
