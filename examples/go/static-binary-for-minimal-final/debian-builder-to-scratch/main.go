package main

import (
	"fmt"
	"net"
)

func main() {
	// the net package makes a cgo-enabled build link the C library dynamically
	_, err := net.LookupHost("localhost")
	fmt.Println("hello from scratch, lookup error:", err != nil)
}
