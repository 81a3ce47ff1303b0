module github.com/me/app

go 1.12

require github.com/pkg/errors v0.9.1
