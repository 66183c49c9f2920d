// Loads a Compose file with compose-go, the loader `docker compose` itself uses, and prints the
// normalized project as JSON: interpolated with the environment this program gets (and no .env
// file), defaults filled in, paths resolved. test/docker-compose.test.ts asserts on that model.
//
//	compose-config -f docker-compose.yml [-p name] [-scale service=N]...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type scaleFlags map[string]int

func (s scaleFlags) String() string { return fmt.Sprint(map[string]int(s)) }

func (s scaleFlags) Set(value string) error {
	name, count, found := strings.Cut(value, "=")
	replicas, err := strconv.Atoi(count)
	if !found || err != nil || replicas < 0 {
		return fmt.Errorf("want service=N, got %q", value)
	}
	s[name] = replicas
	return nil
}

func main() {
	file := flag.String("f", "docker-compose.yml", "Compose file")
	name := flag.String("p", "", "project name (default: from the file, else its directory)")
	scale := scaleFlags{}
	flag.Var(scale, "scale", "service=N, as `docker compose up --scale` (repeatable)")
	flag.Parse()

	if err := run(*file, *name, scale); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(file, name string, scale scaleFlags) error {
	options := []cli.ProjectOptionsFn{cli.WithOsEnv, cli.WithDiscardEnvFile}
	if name != "" {
		options = append(options, cli.WithName(name))
	}
	projectOptions, err := cli.NewProjectOptions([]string{file}, options...)
	if err != nil {
		return err
	}
	project, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		return err
	}
	for service, replicas := range scale {
		config, err := project.GetService(service)
		if err != nil {
			return err
		}
		config.SetScale(replicas)
		project.Services[service] = config
	}
	// What `docker compose up` checks before it creates containers: a fixed name cannot be scaled.
	if err := project.CheckContainerNameUnicity(); err != nil {
		return err
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}
