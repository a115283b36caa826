package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// noIntrospection is the validation rule of a server whose introspection
// is switched off (SPEC §12): a document that asks for __schema or __type
// fails validation, with a message that says so, like any invalid
// document. (Without it gqlgen fails the field with a plain error, which
// would be reported as an internal error.) __typename stays allowed:
// clients need it to read unions and interfaces.
var noIntrospection = core.Rule{
	Name: "NoIntrospection",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			if f.Name == "__schema" || f.Name == "__type" {
				addError(
					core.Message("introspection disabled: this server does not answer %s (LMS_INTROSPECTION is off)", f.Name),
					core.At(f.Position),
				)
			}
		})
	},
}

// validationRules are gqlparser's rules, with noIntrospection unless
// introspection is allowed.
func validationRules(introspection bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if !introspection {
			r.AddRule(noIntrospection.Name, noIntrospection.RuleFunc)
		}
		return r
	}
}
