import { it } from "vitest";
import * as api from "./index.js";

// Guards the public surface of the programmatic entry (the `hooksec` binary is tested in ../test).
// The context's `expect`: this project runs tests concurrently.
it("exports run and the key and secret makers", ({ expect }) => {
  expect(Object.keys(api).sort()).toMatchSnapshot();
});
