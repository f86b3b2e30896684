import {
  type AnchorHTMLAttributes,
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useState,
} from "react";

/**
 * A handful of flat routes needs no library: the path is state, links push history, and the back button
 * pops it. A page is chosen by matching `routes` in order.
 */
const PathContext = createContext<{ path: string; navigate: (to: string) => void }>({
  path: "/",
  navigate: () => {},
});

export function Router({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname + window.location.search);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = (to: string) => {
    window.history.pushState(null, "", to);
    setPath(to);
    window.scrollTo(0, 0);
  };
  return <PathContext.Provider value={{ path, navigate }}>{children}</PathContext.Provider>;
}

export const useLocation = () => useContext(PathContext);

/** The first pattern (`/cycles/:cycleId`) that matches the current path, with its parameters. */
export function useRoute(
  patterns: readonly string[],
): { pattern: string; params: Record<string, string> } | undefined {
  const { path } = useLocation();
  const pathname = path.split("?")[0] ?? "/";
  for (const pattern of patterns) {
    const names: string[] = [];
    const regex = new RegExp(
      `^${pattern.replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}/?$`,
    );
    const match = regex.exec(pathname);
    if (match)
      return {
        pattern,
        params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")])),
      };
  }
  return undefined;
}

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate } = useLocation();
  return (
    <a
      {...rest}
      href={to}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
