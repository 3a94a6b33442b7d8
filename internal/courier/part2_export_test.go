package courier

// Part2Catalog exposes the catalog to the external part-2 tests (so they do
// not depend on part 1's exports).
func Part2Catalog() []Operation { return catalogOperations() }
