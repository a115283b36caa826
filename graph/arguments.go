package graph

import (
	"errors"

	"lms/apperr"
)

// onArguments re-roots the field paths of err's application errors at the
// field's own arguments. Services name the input field an error concerns
// under "input", the single argument of every mutation (apperr.OnField);
// a query or subscription that takes its arguments directly, such as
// licenseFileReady(locationId, fileId), passes its errors through
// onArguments so that the path names a real argument: ["locationId"], not
// ["input", "locationId"]. Other errors are returned as they are.
func onArguments(err error) error {
	errs := apperr.All(err)
	if len(errs) == 0 {
		return err
	}
	out := make(apperr.List, len(errs))
	for i, e := range errs {
		c := *e
		if len(c.Field) > 0 && c.Field[0] == "input" {
			c.Field = c.Field[1:]
		}
		out[i] = &c
	}
	var list *apperr.ListError
	if errors.As(err, &list) {
		return out.Err()
	}
	return out[0]
}
