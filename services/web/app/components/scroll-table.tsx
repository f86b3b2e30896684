import type { ReactNode } from "react";

/**
 * A table that scrolls sideways on a narrow screen rather than the page: its column headings, a caption
 * for screen readers when the heading above does not say what it holds, and its rows (`children`, each
 * a `<tr>`, led by a `<th scope="row">` where one of its cells names the row).
 */
export function ScrollTable({
  columns,
  caption,
  className,
  children,
}: {
  columns: string[];
  caption?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={className}>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
