package keyservice

// optional is a merge-patch field: absent (Set false), cleared with null
// (Set true, Value nil) or set to a value.
type optional[T any] struct {
	Set   bool
	Value *T
}
