module mixer.dev/oopinterop

go 1.21

require (
	github.com/gogo/protobuf v1.3.0
	istio.io/api v0.0.0-20191115173247-e1a1952e5b81
	istio.io/gogo-genproto v0.0.0-20190930162913-45029607206a
)

require (
	github.com/golang/protobuf v1.3.2 // indirect
	golang.org/x/net v0.0.0-20190311183353-d8887717615a // indirect
	golang.org/x/sys v0.0.0-20190215142949-d0b11bdaac8a // indirect
	golang.org/x/text v0.3.2 // indirect
	google.golang.org/genproto v0.0.0-20180817151627-c66870c02cf8 // indirect
	google.golang.org/grpc v1.23.1 // indirect
)
