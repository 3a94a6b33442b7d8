package courier

// part2Resources is the table of the part-2 families (texting, voice, video,
// Alexa, user and system): owned by part 2, see ENGINE.md.
func part2Resources() []*Resource {
	return nil
}
