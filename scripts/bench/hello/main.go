// Command hello is the start-up baseline of scripts/bench: the least a Go
// program does before it prints a line.
package main

import "fmt"

func main() { fmt.Println("hello") }
