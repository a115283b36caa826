// Package model holds the GraphQL-only types gqlgen generates, and Node.
package model

// Node is any object with a global id. The concrete types are the domain
// structs bound in gqlgen.yml; the API layer encodes their ids.
type Node any
