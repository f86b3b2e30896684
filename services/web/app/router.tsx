import {
  type AnchorHTMLAttributes,
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
} from "react";

/** `replace`: change the address in place (a page's filters), without a new entry in the history. */
type Navigate = (to: string, options?: { replace?: boolean }) => void;

/**
 * A handful of flat routes needs no library: the path is state, links push history, and the back button
 * pops it. A page is chosen by matching `routes` in order. Two contexts, because links only navigate:
 * a change of address re-renders the pages, not every link on them.
 */
const PathContext = createContext("/");
const NavigateContext = createContext<Navigate>(() => {});

export function Router({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname + window.location.search);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback<Navigate>((to, options = {}) => {
    if (options.replace) window.history.replaceState(null, "", to);
    else {
      window.history.pushState(null, "", to);
      window.scrollTo(0, 0);
    }
    setPath(to);
  }, []);
  return (
    <NavigateContext.Provider value={navigate}>
      <PathContext.Provider value={path}>{children}</PathContext.Provider>
    </NavigateContext.Provider>
  );
}

export const useNavigate = () => useContext(NavigateContext);
export const useLocation = () => ({ path: useContext(PathContext), navigate: useNavigate() });

/** The address's query (`?a=1`, or "") and a way to replace it, keeping the page: filters a link can share. */
export function useSearch(): [string, (search: string) => void] {
  const path = useContext(PathContext);
  const navigate = useNavigate();
  const at = path.indexOf("?");
  const pathname = at < 0 ? path : path.slice(0, at);
  const replace = useCallback(
    (search: string) => navigate(pathname + search, { replace: true }),
    [navigate, pathname],
  );
  return [at < 0 ? "" : path.slice(at), replace];
}

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
  const navigate = useNavigate();
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
