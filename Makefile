# The commands the README names. `make test` is what CI runs.
.PHONY: test run seed generate fmt

test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	go test -race ./...

run:
	go run ./cmd/lms serve

seed:
	go run ./cmd/lms seed

generate:
	go tool gqlgen generate

fmt:
	gofmt -w $$(git ls-files '*.go')
